/**
 * A minimal protocol host for the simulator's tests: real FrameDecoder + LinkEndpoint('host') over any byte
 * stream (a serialport SerialPort, a net.Socket), recording every byte that crossed in both directions.
 */
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import { formatCapture } from '../../protocol/capture/capture-writer.js';
import { FrameDecoder, LinkEndpoint, type Clock, type DeviceMessage, type HostMessage, type Message } from '../../protocol/index.js';

/** Liveness bound for one expected message (turns a hang into a failure; not a speed assertion). */
export const MESSAGE_TIMEOUT_MS = 5000;

export interface TestHostOptions {
  clock?: Clock;
  ackTimeoutMs?: number;
  maxRetransmissions?: number;
}

type Waiter = { match: (m: DeviceMessage) => boolean; resolve: (m: DeviceMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

export class TestHost {
  readonly link: LinkEndpoint;
  readonly received: DeviceMessage[] = [];
  /** Every chunk written to / read from the stream, in order. */
  readonly wire: { direction: 'out' | 'in'; bytes: Buffer }[] = [];
  readonly #decoder = new FrameDecoder();
  readonly #waiters = new Set<Waiter>();
  #unread = 0;

  constructor(readonly stream: Duplex, options: TestHostOptions = {}) {
    this.link = new LinkEndpoint({
      role: 'host',
      write: (bytes) => {
        this.wire.push({ direction: 'out', bytes: Buffer.from(bytes) });
        if (!stream.destroyed) stream.write(bytes);
      },
      pingIntervalMs: false,
      deadAfterMs: false,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.ackTimeoutMs !== undefined ? { ackTimeoutMs: options.ackTimeoutMs } : {}),
      ...(options.maxRetransmissions !== undefined ? { maxRetransmissions: options.maxRetransmissions } : {}),
    });
    stream.on('data', (bytes: Buffer) => {
      this.wire.push({ direction: 'in', bytes: Buffer.from(bytes) });
      this.#decoder.write(bytes);
    });
    stream.on('error', () => {});
    this.#decoder.on('data', (frame) => this.link.receiveFrame(frame));
    this.#decoder.on('drop', (error) => this.link.receiveDrop(error));
    this.link.on('message', (message: Message) => this.#deliver(message as DeviceMessage));
  }

  send(message: HostMessage): Promise<void> {
    return this.link.send(message);
  }

  /** The next not-yet-taken message of `type` (messages are taken in arrival order). */
  next<T extends DeviceMessage['type']>(type: T, timeoutMs = MESSAGE_TIMEOUT_MS): Promise<Extract<DeviceMessage, { type: T }>> {
    return this.nextWhere((m) => m.type === type, `${type}`, timeoutMs) as Promise<Extract<DeviceMessage, { type: T }>>;
  }

  /** The next RESULT or ERROR: how a session ends. */
  end(timeoutMs = MESSAGE_TIMEOUT_MS): Promise<Extract<DeviceMessage, { type: 'RESULT' | 'ERROR' }>> {
    return this.nextWhere((m) => m.type === 'RESULT' || m.type === 'ERROR', 'RESULT or ERROR', timeoutMs) as
      Promise<Extract<DeviceMessage, { type: 'RESULT' | 'ERROR' }>>;
  }

  nextWhere(match: (m: DeviceMessage) => boolean, what: string, timeoutMs = MESSAGE_TIMEOUT_MS): Promise<DeviceMessage> {
    for (let i = this.#unread; i < this.received.length; i++) {
      const message = this.received[i]!;
      if (match(message)) {
        this.#unread = i + 1;
        return Promise.resolve(message);
      }
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(new Error(`no ${what} within ${timeoutMs} ms; got ${this.received.map((m) => m.type).join(', ')}`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Everything that crossed the wire as a tenkey capture (JSON Lines), e.g. for test/capture/pan-scan.ts. */
  capture(): string {
    return formatCapture({
      header: { format: 'tenkey-capture', version: 1, protocolVersion: 1, captured: { tool: 'test-host', startedAt: new Date(0).toISOString() } },
      records: this.wire.map((chunk, t) => ({ dir: chunk.direction === 'out' ? 'h2d' : 'd2h', t, bytes: chunk.bytes })),
    });
  }

  async hello(): Promise<Extract<DeviceMessage, { type: 'INFO' }>> {
    await this.send({ type: 'HELLO', minVersion: 1, maxVersion: 1 });
    return this.next('INFO');
  }

  close(): void {
    this.link.close();
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('test host closed'));
    }
    this.#waiters.clear();
    this.stream.destroy();
  }

  #deliver(message: DeviceMessage): void {
    this.received.push(message);
    for (const waiter of this.#waiters) {
      if (waiter.match(message)) {
        this.#waiters.delete(waiter);
        clearTimeout(waiter.timer);
        this.#unread = this.received.length;
        waiter.resolve(message);
        return;
      }
    }
  }
}

export function startEntryMessage(sessionId: number, overrides: Partial<Extract<HostMessage, { type: 'START_ENTRY' }>> = {}): HostMessage {
  return { type: 'START_ENTRY', sessionId, inactivityTimeoutS: 0, reveal: 3, expiryRequired: true, acceptedBrands: [], ...overrides };
}

export function connectTcp(address: string): Promise<Socket> {
  const url = new URL(address);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export async function openSerial(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  return port;
}
