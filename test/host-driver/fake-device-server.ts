/**
 * The scripted device of fake-device.ts without vitest hooks, for checks that clean up after themselves (the
 * bad-input rows, which `npm run docs` also imports outside vitest).
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder, LinkEndpoint, type DeviceMessage, type HostMessage, type Message } from '../../protocol/index.js';

export interface FakeDeviceConnection {
  link: LinkEndpoint;
  socket: Socket;
  /** Raw frame bytes straight onto the wire (bypassing the link: stale frames, refusals). */
  writeRaw(message: Message, seq: number): void;
}

export interface FakeDevice {
  address: string;
  received: HostMessage[];
}

/** A listening fake device, and how to stop it (its connections too). */
export async function serveFakeDevice(
  handler: (message: HostMessage, connection: FakeDeviceConnection) => void,
  onConnect?: (connection: FakeDeviceConnection) => void,
): Promise<FakeDevice & { close(): Promise<void> }> {
  const received: HostMessage[] = [];
  const sockets: Socket[] = [];
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.push(socket);
    const decoder = new FrameDecoder();
    const link = new LinkEndpoint({ role: 'device', write: (bytes) => { if (!socket.destroyed) socket.write(bytes); } });
    const connection: FakeDeviceConnection = {
      link, socket, writeRaw: (message, seq) => socket.write(encodeFrame(message, seq)),
    };
    socket.on('data', (bytes) => decoder.write(bytes));
    socket.on('error', () => {});
    socket.on('close', () => link.close());
    decoder.on('data', (frame) => link.receiveFrame(frame));
    link.on('message', (message) => {
      received.push(message as HostMessage);
      handler(message as HostMessage, connection);
    });
    onConnect?.(connection);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets.splice(0)) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A well-behaved INFO. */
export const INFO = {
  type: 'INFO', protocolVersion: 1, model: 'FAKE', firmwareVersion: '9', serialNumber: 'F-1', keySetId: new Uint8Array(8).fill(0x11),
  acceptedBrands: ['visa'],
} as const;

/** Sends a device message; a send the closing test cuts short is of no interest. */
export function say(link: LinkEndpoint, message: DeviceMessage): void {
  link.send(message).catch(() => {});
}
