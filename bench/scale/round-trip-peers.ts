/**
 * The two contenders of the PTY round-trip benchmark, each a `roundTrip()` timed with performance.now():
 * - raw echo: one byte from the host's serial transport to the PTY master, which writes it straight back, and in
 *   again: the physical floor. Both ends are the very code the protocol uses (the driver's serial transport, the
 *   simulator's PtyPort), so the two differ only by the protocol.
 * - PING→PONG: TenkeyKeypad.ping() against a virtual keypad on its own PTY: frames, CRC, link ACKs, the device's
 *   answer and the driver's bookkeeping on top of the same path.
 */
import { startSimulator } from '../../device-sim/index.js';
import { PtyPort } from '../../device-sim/transport/pty-port.js';
import { openTenkey } from '../../host-driver/index.js';
import { openSerialTransport } from '../../host-driver/transport/serial-transport.js';
import { openTtyStreamTransport, ttyStreamSupported } from '../../host-driver/transport/tty-stream-transport.js';

/** A round trip that takes this long is a hang, not a slow trip: fail the benchmark instead of waiting forever. */
const TRIP_DEADLINE_MS = 5000;

export interface RoundTripPeer {
  /** One round trip; resolves with its duration in ms. */
  roundTrip(): Promise<number>;
  close(): Promise<void>;
}

function withDeadline<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${TRIP_DEADLINE_MS} ms`)), TRIP_DEADLINE_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export async function openRawEcho(): Promise<RoundTripPeer> {
  const master = PtyPort.open();
  master.on('data', (bytes: Buffer) => master.write(bytes));
  master.on('error', () => {}); // closing is the only way it ends here
  let host;
  try {
    // The serial transport openTenkey picks on this platform, as the PING→PONG side below uses.
    host = await (ttyStreamSupported() ? openTtyStreamTransport : openSerialTransport)(master.path);
  } catch (error) {
    await master.close();
    throw error;
  }
  const probe = Buffer.from([0x55]);
  let arrived: (() => void) | undefined;
  host.on('data', () => arrived?.());
  return {
    async roundTrip() {
      const back = new Promise<void>((resolve) => { arrived = resolve; });
      const start = performance.now();
      host.write(probe);
      await withDeadline('raw PTY echo', back);
      return performance.now() - start;
    },
    async close() {
      await host.close();
      await master.close();
    },
  };
}

export async function openPingPong(): Promise<RoundTripPeer> {
  const simulator = await startSimulator({ listen: 'pty' });
  let keypad;
  try {
    // No keepalive PINGs of its own in between ours.
    keypad = await openTenkey({ device: simulator.address, reconnect: false, link: { pingIntervalMs: false } });
  } catch (error) {
    await simulator.close();
    throw error;
  }
  return {
    async roundTrip() {
      const start = performance.now();
      await withDeadline('PING→PONG', keypad.ping());
      return performance.now() - start;
    },
    async close() {
      await keypad.close();
      await simulator.close();
    },
  };
}
