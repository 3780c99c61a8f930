/** Test helpers for real PTYs: collect exactly N bytes from a stream, open a host port and wait for it. */
import { SerialPort } from 'serialport';
import type { Readable } from 'node:stream';

/** Liveness bound for byte delivery on a real pty (not a speed assertion: it only turns a hang into a failure). */
export const DELIVERY_TIMEOUT_MS = 5000;

export function readBytes(stream: Readable, count: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`expected ${count} bytes, got ${total} within ${DELIVERY_TIMEOUT_MS} ms`));
    }, DELIVERY_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= count) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    stream.on('data', onData);
  });
}

/** Wait a few event-loop turns plus a little real time, for "nothing arrives" checks. */
export function settle(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function openHost(path: string, options: { hupcl?: boolean } = {}): Promise<SerialPort> {
  const host = new SerialPort({ path, baudRate: 115200, autoOpen: false, ...options });
  await new Promise<void>((resolve, reject) => host.open((error) => (error ? reject(error) : resolve())));
  return host;
}

export async function closeHost(host: SerialPort): Promise<void> {
  if (!host.isOpen) return;
  await new Promise<void>((resolve) => host.close(() => resolve()));
}

export function writeHost(host: SerialPort, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    host.write(bytes, (error) => (error ? reject(error) : host.drain((drainError) => (drainError ? reject(drainError) : resolve()))));
  });
}
