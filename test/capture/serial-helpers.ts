/** Host-side serial helpers the tap tests share: open/close a real serialport, read an exact number of bytes. */
import { SerialPort } from 'serialport';

export function openSerial(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    port.open((e) => (e ? reject(e) : resolve(port)));
  });
}

export function closeSerial(port: SerialPort | undefined): Promise<void> {
  return new Promise((resolve) => (port?.isOpen ? port.close(() => resolve()) : resolve()));
}

/** Resolves with the first `n` bytes read from `stream`. */
export function readBytes(stream: NodeJS.ReadableStream, n: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    let length = 0;
    const onData = (c: Buffer): void => {
      got.push(c);
      length += c.length;
      if (length >= n) {
        stream.off('data', onData);
        resolve(Buffer.concat(got));
      }
    };
    stream.on('data', onData);
  });
}

/** One round trip through a tap: `request` written by the host arrives at the device, `reply` back at the host. */
export async function roundTrip(
  host: NodeJS.WritableStream & NodeJS.ReadableStream,
  device: NodeJS.WritableStream & NodeJS.ReadableStream,
  request: Uint8Array,
  reply: Uint8Array,
): Promise<{ atDevice: Buffer; atHost: Buffer }> {
  const atDevicePromise = readBytes(device, request.length);
  host.write(request);
  const atDevice = await atDevicePromise;
  const atHostPromise = readBytes(host, reply.length);
  device.write(reply);
  return { atDevice, atHost: await atHostPromise };
}
