/**
 * The handshake soak (issue #17): openTenkey again and again over a cable that harms 1 % of the bytes in one
 * direction or both, on virtual time, each open on a fresh cable with its own seeded faults. Counts opens, failures
 * (by code and cause) and opens that needed a second HELLO (PROTOCOL.md §6.5). Shared by
 * test/soak/handshake-soak.test.ts and bench/cases/fault-soak.ts.
 */
import { Duplex } from 'node:stream';
import { NO_FAULTS, type FaultSpec } from '../../device-sim/faults/fault-spec.js';
import { FaultStream } from '../../device-sim/faults/fault-stream.js';
import { VirtualKeypad } from '../../device-sim/virtual-keypad.js';
import { isTenkeyError } from '../../host-driver/errors.js';
import { silentLogger } from '../../host-driver/logger.js';
import { openTenkeyOverTransport } from '../../host-driver/open-over-transport.js';
import { memoryCable } from '../../testing/memory-cable.js';
import { VirtualTime } from '../../testing/virtual-time.js';
import { SOAK_DEVICE_DATE } from './soak-plan.js';

/** Default seed of the handshake soak. */
export const HANDSHAKE_SOAK_SEED = 20261202;

export interface HandshakeSoak {
  opened: number;
  failures: string[];
  /**
   * Failed opens in which the keypad saw only one HELLO: failures for lack of a retry (PROTOCOL.md §6.5). A failure
   * after several HELLOs is a line bad for the whole connect deadline, which no retry can beat.
   */
  unretriedFailures: number;
  /** Opens that needed more than one HELLO (the retry was really exercised). */
  retried: number;
}

/** Which bytes the line harms: both directions, or only the keypad's (toHost) or only the driver's (toDevice). */
export type HandshakeSoakSide = 'both' | 'toHost' | 'toDevice';

/**
 * The keypad's end of a cable whose faults hit one direction only: a FaultStream between the keypad and the cable on
 * that side, the other direction passed straight through.
 */
function oneSided(cableEnd: Duplex, side: 'toHost' | 'toDevice', faults: FaultSpec, clock: VirtualTime['clock']): Duplex {
  const harm = new FaultStream({ faults, clock });
  harm.on('error', () => {});
  const end = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      if (side === 'toHost') { if (!harm.destroyed) harm.write(chunk); } else if (!cableEnd.destroyed) cableEnd.write(chunk);
      callback();
    },
    destroy(error, callback) {
      harm.destroy();
      cableEnd.destroy();
      callback(error);
    },
  });
  if (side === 'toHost') harm.on('data', (bytes: Buffer) => { if (!cableEnd.destroyed) cableEnd.write(bytes); });
  else harm.on('data', (bytes: Buffer) => end.push(bytes));
  cableEnd.on('data', (bytes: Buffer) => {
    if (side === 'toDevice') { if (!harm.destroyed) harm.write(bytes); } else end.push(bytes);
  });
  cableEnd.once('close', () => end.destroy());
  return end;
}

export async function soakHandshakes(
  handshakes: number, faults: Partial<FaultSpec>, side: HandshakeSoakSide = 'both', seed = HANDSHAKE_SOAK_SEED,
): Promise<HandshakeSoak> {
  const time = new VirtualTime();
  const { clock } = time;
  const device = new VirtualKeypad({ clock, now: () => SOAK_DEVICE_DATE });
  let hellos = 0;
  device.on('frame-in', (frame) => {
    if (frame.message.type === 'HELLO' && !frame.retransmission) hellos++;
  });
  const soak: HandshakeSoak = { opened: 0, failures: [], unretriedFailures: 0, retried: 0 };
  for (let i = 0; i < handshakes; i++) {
    hellos = 0;
    const spec: FaultSpec = { ...NO_FAULTS, delayMs: 20, ...faults, seed: (seed + i * 0x9e3779b9) >>> 0 };
    const cable = side === 'both' ? memoryCable({ clock, faults: spec }) : memoryCable({ clock });
    device.attach(side === 'both' ? cable.device : oneSided(cable.device, side, spec, clock));
    const opening = openTenkeyOverTransport({
      address: 'memory://handshake', openTransport: async () => cable.host, acceptedBrands: [], clock, logger: silentLogger,
      reconnect: false, connectTimeoutMs: 3000, link: {},
    });
    opening.catch(() => undefined);
    await time.runUntilSettled(opening, 10_000);
    const keypad = await opening.catch((e: unknown) => {
      soak.failures.push(`${i}: ${isTenkeyError(e) ? `${e.code}/${e.reason}` : String(e)} after ${hellos} HELLO`);
      if (hellos <= 1) soak.unretriedFailures++;
      return undefined;
    });
    if (keypad !== undefined) {
      soak.opened++;
      const closing = keypad.close();
      await time.runUntilSettled(closing, 5000);
    }
    if (hellos > 1) soak.retried++;
    await time.advance(100);
  }
  device.close();
  return soak;
}
