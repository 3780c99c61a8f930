/**
 * Deliberately broken keypads for `tenkey conform` to catch: the reference keypad behind a TCP proxy that
 * rewrites, drops or adds device frames (with the protocol library's decoder and encoders) as one broken
 * firmware would. Host bytes pass through untouched, so every refusal check still reaches the keypad.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../device-sim/keypad-server.js';
import { cobsDecode, crc16CcittFalse, encodeFrame, FrameDecoder, type Frame } from '../../protocol/index.js';

/** What the broken keypad puts on the wire instead of one frame the reference keypad sent (none = dropped). */
export type Breakage = (frame: Frame) => Buffer[];

/** Also called with each raw frame the host sent (between delimiters); returns bytes to answer the host with. */
export type HostFrameHook = (encoded: Buffer) => Buffer[];

export const asIs = (frame: Frame): Buffer =>
  encodeFrame(frame.message, frame.seq, { fromDevice: frame.fromDevice, retransmission: frame.retransmission });

const servers: Server[] = [];
const sockets: Socket[] = [];
const sims: RunningSimulator[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

export interface BrokenKeypad {
  address: string;
  sim: RunningSimulator;
}

export async function brokenKeypad(breakage: Breakage, onHostFrame: HostFrameHook = () => []): Promise<BrokenKeypad> {
  const sim = await startSimulator({ listen: 'tcp://127.0.0.1:0' });
  sims.push(sim);
  const simPort = Number(/:(\d+)$/.exec(sim.address)![1]);
  const server = createServer({ noDelay: true }, (host) => {
    const device = connect({ host: '127.0.0.1', port: simPort });
    sockets.push(host, device);
    const fromDevice = new FrameDecoder();
    device.on('data', (bytes) => fromDevice.write(bytes));
    fromDevice.on('data', (frame: Frame) => { for (const bytes of breakage(frame)) host.write(bytes); });
    let pending = Buffer.alloc(0);
    host.on('data', (bytes: Buffer) => {
      device.write(bytes);
      pending = Buffer.concat([pending, bytes]);
      for (let end = pending.indexOf(0); end >= 0; end = pending.indexOf(0)) {
        const encoded = pending.subarray(0, end);
        pending = pending.subarray(end + 1);
        for (const answer of onHostFrame(encoded)) host.write(answer);
      }
    });
    for (const s of [host, device]) {
      s.on('error', () => {});
      s.on('close', () => { host.destroy(); device.destroy(); });
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { address: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, sim };
}

/** For onHostFrame: the seq of a host frame whose CRC does not match, if it is one. */
export function badCrcSeq(encoded: Buffer): number | undefined {
  if (encoded.length === 0) return undefined;
  let body: Buffer;
  try {
    body = cobsDecode(encoded);
  } catch {
    return undefined;
  }
  if (body.length < 8) return undefined;
  return crc16CcittFalse(body, 0, body.length - 2) === body.readUInt16BE(body.length - 2) ? undefined : body[2];
}
