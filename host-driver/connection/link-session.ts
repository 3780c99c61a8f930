/**
 * One transport's lifetime: the transport, its frame decoder and the host's LinkEndpoint, wired together. A
 * reconnect builds a new one. It reports its messages to whoever routes them now (`onMessage`: the handshake,
 * then the driver) and its loss once (transport closed, link dead, keypad not reading); the connection machine
 * decides what either means. No decisions here, only plumbing.
 */
import { FrameDecoder, LinkEndpoint, type Clock, type Message } from '../../protocol/index.js';
import { writeWithinBudget } from '../../protocol/write-budget.js';
import { tenkeyError, toTenkeyError, TenkeyError } from '../errors.js';
import type { TenkeyLogger } from '../logger.js';
import type { LinkTimingOptions } from '../options.js';
import type { ByteTransport } from '../transport/byte-transport.js';

export interface LinkSessionOptions {
  address: string;
  clock: Clock;
  logger: TenkeyLogger;
  link: LinkTimingOptions;
  /** Uniform [0, 1) source for the keepalive jitter; default Math.random. */
  random?: (() => number) | undefined;
}

const ignoreMessage = (): void => {};

export class LinkSession {
  readonly decoder = new FrameDecoder();
  readonly link: LinkEndpoint;
  /** Where messages go now: the handshake's listener, then the driver (the per-frame path: a plain call). */
  onMessage: (message: Message) => void = ignoreMessage;
  #ended = false;
  #delivering = false;
  #lostWith: TenkeyError | undefined;
  #onLost: ((error: TenkeyError) => void) | undefined;
  #teardown: Promise<void> | undefined;

  constructor(readonly transport: ByteTransport, options: LinkSessionOptions) {
    const { clock, logger, address, link: timing } = options;
    const { decoder } = this;
    this.link = new LinkEndpoint({
      role: 'host',
      // A keypad that stops reading is dropped (PEER_NOT_READING), not buffered for without end.
      write: (bytes) => {
        const refused = writeWithinBudget(transport, bytes);
        if (refused !== undefined) this.#lose(toTenkeyError(refused));
      },
      clock,
      ...(timing.pingJitter !== undefined ? { pingJitter: timing.pingJitter } : {}),
      ...(options.random !== undefined ? { random: options.random } : {}),
      ...(timing.ackTimeoutMs !== undefined ? { ackTimeoutMs: timing.ackTimeoutMs } : {}),
      ...(timing.maxRetransmissions !== undefined ? { maxRetransmissions: timing.maxRetransmissions } : {}),
      ...(timing.pingIntervalMs !== undefined ? { pingIntervalMs: timing.pingIntervalMs } : {}),
      ...(timing.deadAfterMs !== undefined ? { deadAfterMs: timing.deadAfterMs } : {}),
    });
    const { link } = this;
    transport.on('data', (bytes) => decoder.write(bytes));
    transport.on('close', (error) => {
      // Checked before building the error: end() closes the transport too, and an error costs a stack trace.
      if (!this.#ended) this.#lose(toTenkeyError(error ?? tenkeyError('DISCONNECTED', `${address} closed`), 'DISCONNECTED'));
    });
    decoder.on('data', (frame) => link.receiveFrame(frame));
    decoder.on('drop', (error) => {
      logger.debug('frame dropped', { cause: error.code });
      link.receiveDrop(error);
    });
    // A decoder never errors on wire input; this only guards against a destroyed stream.
    decoder.on('error', () => {});
    link.on('message', (message: Message) => this.onMessage(message));
    link.on('dead', (error) => this.#lose(toTenkeyError(error)));
    link.on('retransmit', (frame, attempt) => logger.debug('retransmit', { type: frame.message.type, seq: frame.seq, attempt }));
    link.on('nak', (frame) => logger.debug('NAK received', { seq: frame.seq }));
  }

  /** The handshake is over: messages go to the driver now (deliverTo). */
  get delivering(): boolean {
    return this.#delivering;
  }

  /** From now on every message goes to `listener` (the driver's router), not to the handshake's. */
  deliverTo(listener: (message: Message) => void): void {
    this.#delivering = true;
    this.onMessage = listener;
  }

  /** end() was called: nothing of this session is reported any more. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Calls `listener` once when the session is lost (at once if it already was); a later call replaces it. */
  whenLost(listener: ((error: TenkeyError) => void) | undefined): void {
    this.#onLost = listener;
    if (listener && this.#lostWith && !this.#ended) listener(this.#lostWith);
  }

  /** Stops the link, the decoder and the transport; resolves once the transport closed. Idempotent. */
  end(): Promise<void> {
    if (this.#teardown) return this.#teardown;
    this.#ended = true;
    this.onMessage = ignoreMessage;
    this.#onLost = undefined;
    this.link.close();
    this.link.removeAllListeners();
    this.decoder.removeAllListeners('data');
    this.decoder.destroy();
    this.#teardown = this.transport.close().then(() => {
      this.transport.removeAllListeners();
    });
    return this.#teardown;
  }

  #lose(error: TenkeyError | Error): void {
    if (this.#ended || this.#lostWith) return;
    this.#lostWith = error instanceof TenkeyError ? error : tenkeyError('DISCONNECTED', error.message, error);
    this.#onLost?.(this.#lostWith);
  }
}
