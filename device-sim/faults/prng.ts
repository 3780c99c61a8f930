/**
 * mulberry32: a seeded 32-bit PRNG. Hand-written (six lines) because fault runs must replay bit-for-bit from a
 * seed on every platform, and pure-rand is only a transitive devDependency (via fast-check) that users won't have.
 */
export type Random = () => number;

/** Returns a function giving floats in [0, 1); the same seed always gives the same sequence. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
