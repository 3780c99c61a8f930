/**
 * The virtual keypad on the store LAN: a TCP listener that serves one host at a time, like the real keypad.
 * A second host is handed to `onRejected` (the simulator writes a BUSY ERROR frame there) and closed once that
 * write has flushed, unless the current host is gone (PROTOCOL.md §6.4): it has closed its side (FIN), or
 * `isHostGone` says so (silent too long); then the newcomer replaces it. TCP keepalive is on for the host, so a
 * peer that vanished without a FIN (pulled cable, crashed PC) is found by the kernel as well.
 * `pause()`/`resume()` stop and restart listening on the same port to play unplug/replug.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { systemClock, type Clock } from '../../protocol/clock.js';
import { CodedError } from '../../protocol/coded-error.js';
import { DEFAULT_TCP_HOST, DEFAULT_TCP_PORT, LINK_DEAD_AFTER_MS } from '../../protocol/constants.js';
import { formatDeviceAddress } from './address.js';

export interface TcpListenerOptions {
  /** Interface to bind. Default 127.0.0.1 (a LAN keypad would use 0.0.0.0). */
  host?: string;
  /** Port to bind; 0 picks a free one (kept across pause/resume). Default DEFAULT_TCP_PORT (7780). */
  port?: number;
  /** The one accepted host connection (no-delay already set). */
  onConnection(socket: Socket): void;
  /**
   * A connection that arrived while another host is connected: write the refusal synchronously (e.g. a BUSY
   * ERROR frame); the listener then ends the socket, which flushes that write first.
   */
  onRejected?(socket: Socket): void;
  /** Whether the current host is gone although its socket is open (e.g. silent past LINK_DEAD): a newcomer replaces it. */
  isHostGone?(current: Socket): boolean;
  /** How long a rejected peer may take to close its side before it is dropped. Default 2000 ms. */
  rejectLingerMs?: number;
  /** Timer for the linger above. Default systemClock. */
  clock?: Clock;
}

export interface TcpListener {
  /** `tcp://HOST:PORT` with the bound port (never 0). */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  /** The accepted host connection, if one is open. */
  readonly connection: Socket | undefined;
  readonly listening: boolean;
  /** Stop listening and drop every connection ("unplug"). The port is kept for resume(). */
  pause(): Promise<void>;
  /** Listen again on the same host and port ("plug back"). Rejects if the port was taken meanwhile. */
  resume(): Promise<void>;
  /** pause() for good. Never rejects. */
  close(): Promise<void>;
}

export class TcpListenerError extends CodedError<'BAD_OPTIONS' | 'LISTEN_FAILED' | 'CLOSED'> {}

export async function listenTcp(options: TcpListenerOptions): Promise<TcpListener> {
  const host = options.host ?? DEFAULT_TCP_HOST;
  const requestedPort = options.port ?? DEFAULT_TCP_PORT;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new TcpListenerError('BAD_OPTIONS', `port must be an integer from 0 to 65535, got ${String(requestedPort)}`);
  }
  if (typeof options.onConnection !== 'function') {
    throw new TcpListenerError('BAD_OPTIONS', 'onConnection must be a function');
  }
  const clock = options.clock ?? systemClock;
  const lingerMs = options.rejectLingerMs ?? 2000;

  let server: Server | undefined;
  let port = requestedPort;
  let current: Socket | undefined;
  let closed = false;
  const rejected = new Set<Socket>();

  const accept = (socket: Socket): void => {
    socket.setNoDelay(true);
    // A socket error is the connection's business (its owner sees 'close'); never crash the listener on it.
    socket.on('error', () => {});
    if (current !== undefined && options.isHostGone?.(current) === true) {
      current.destroy();
      current = undefined;
    }
    if (current === undefined) {
      current = socket;
      // Probes start after as long an idle as the link's own dead limit: a half-open peer is found without a frame.
      socket.setKeepAlive(true, LINK_DEAD_AFTER_MS);
      const free = (): void => {
        if (current === socket) current = undefined;
      };
      // A host that sent FIN is leaving: the slot is free at once, before its close completes, so a host that
      // closes and reopens at once is never refused BUSY by its own last connection (the FIN back comes after this).
      socket.once('end', free);
      socket.once('close', free);
      options.onConnection(socket);
      return;
    }
    rejected.add(socket);
    const linger = clock.setTimeout(() => socket.destroy(), lingerMs);
    socket.once('close', () => {
      clock.clearTimeout(linger);
      rejected.delete(socket);
    });
    // Read and discard what the rejected peer sends, so closing never resets the link (an RST could lose the refusal).
    socket.resume();
    options.onRejected?.(socket);
    socket.end();
  };

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const next = createServer({ noDelay: true }, accept);
      const onError = (error: Error): void => {
        next.close();
        reject(new TcpListenerError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
      };
      next.once('error', onError);
      next.listen({ host, port, exclusive: true }, () => {
        next.off('error', onError);
        next.on('error', () => {}); // accept errors (EMFILE…) must not crash the simulator
        port = (next.address() as AddressInfo).port;
        server = next;
        resolve();
      });
    });

  const stop = async (): Promise<void> => {
    const stopping = server;
    server = undefined;
    current?.destroy();
    for (const socket of rejected) socket.destroy();
    if (stopping !== undefined) await new Promise<void>((resolve) => stopping.close(() => resolve()));
  };

  await listen();

  return {
    get address() {
      return formatDeviceAddress({ kind: 'tcp', host, port });
    },
    host,
    get port() {
      return port;
    },
    get connection() {
      return current;
    },
    get listening() {
      return server !== undefined;
    },
    pause: stop,
    async resume() {
      if (closed) throw new TcpListenerError('CLOSED', 'the listener was closed');
      if (server === undefined) await listen();
    },
    async close() {
      closed = true;
      await stop();
    },
  };
}
