/**
 * A seeded stand-in for the card block's random IV and fill, for recording and replaying captures only: with it
 * the simulator's RESULT bytes repeat run after run, so a replay under byte faults damages the same bytes the
 * recording did (which bytes a flipped bit turns into COBS trouble or a 0x00 depends on them). Never for
 * anything but the TEST keys: a predictable IV is exactly what a real device must not have.
 */
import { mulberry32 } from '../faults/prng.js';
import type { RandomBytes } from './card-block.js';

export function seededRandomBytes(seed: number): RandomBytes {
  const next = mulberry32(seed);
  return (size) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = Math.floor(next() * 256);
    return bytes;
  };
}
