/**
 * One keypad, kept connected: transport + frame decoder + link endpoint, the HELLO → INFO handshake,
 * and automatic reconnect with bounded exponential backoff when the port or socket goes away.
 * Entry logic lives above (TenkeyKeypad); this file only knows "connected, with this INFO" or not.
 */
import { EventEmitter } from 'node:events';
import {
  ACK_TIMEOUT_MS, FrameDecoder, LinkEndpoint, MAX_RETRANSMISSIONS, NO_SESSION_ID, PROTOCOL_VERSION, PROTOCOL_VERSION_MIN, isDeviceMessage,
  type Clock, type DeviceErrorName, type DeviceMessage, type HostMessage, type InfoMessage, type Message,
} from '../protocol/index.js';
import { answerWaitMs } from '../protocol/link-timing.js';
import { writeWithinBudget } from '../protocol/write-budget.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { fromDeviceError, tenkeyError, toTenkeyError, TenkeyError } from './errors.js';
import { redactDigits } from '../protocol/redact-digits.js';
import type { ConnectionEvent } from './events.js';
import type { TenkeyLogger } from './logger.js';
import type { LinkTimingOptions } from './options.js';
import type { DeviceInfo } from './results.js';
import type { ByteTransport } from './transport/byte-transport.js';

export interface KeypadConnectionOptions {
  /** The address as configured (for events and DeviceInfo). */
  address: string;
  /** Opens a fresh transport to the keypad (called at connect and at every reconnect attempt). */
  openTransport: () => Promise<ByteTransport>;
  clock: Clock;
  logger: TenkeyLogger;
  reconnect: BackoffOptions | false;
  connectTimeoutMs: number;
  link: LinkTimingOptions;
  /** Uniform [0, 1) source for the keepalive jitter; default Math.random (the soak passes a seeded one to replay). */
  random?: () => number;
}

export interface KeypadConnectionEvents {
  /** A device message that arrived after the handshake (ACKed, duplicates already suppressed). */
  message: [message: DeviceMessage];
  connection: [event: ConnectionEvent];
}

export type KeypadConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** One transport's lifetime. A reconnect builds a new one; events from an old one are ignored. */
interface LinkSession {
  transport: ByteTransport;
  decoder: FrameDecoder;
  link: LinkEndpoint;
  /** Set once when the session ends (loss or close). */
  ended: boolean;
  /** Handshake waiter, while HELLO is unanswered. */
  onInfo?: (info: InfoMessage) => void;
  onRefused?: (code: DeviceErrorName, detail: string) => void;
  onLost?: (error: TenkeyError) => void;
}

export class KeypadConnection extends EventEmitter<KeypadConnectionEvents> {
  #state: KeypadConnectionState = 'idle';
  #session: LinkSession | undefined;
  #device: DeviceInfo | undefined;
  #reconnectTimer: unknown;
  #reconnectAttempt = 0;
  /** The session being built, so close() can wait for it and tear it down. */
  #establishing: Promise<LinkSession> | undefined;
  /** The session whose handshake runs (close() ends it at once instead of waiting for a timeout). */
  #handshaking: LinkSession | undefined;

  constructor(private readonly options: KeypadConnectionOptions) {
    super();
  }

  get state(): KeypadConnectionState {
    return this.#state;
  }

  /** INFO of the current (or last) connection. */
  get device(): DeviceInfo | undefined {
    return this.#device;
  }

  /** First connection. Rejects with a TenkeyError (no automatic retry: the caller sees the failure at once). */
  async connect(): Promise<DeviceInfo> {
    if (this.#state !== 'idle') throw new Error('KeypadConnection.connect() called twice');
    this.#state = 'connecting';
    try {
      await this.#establish();
    } catch (e) {
      this.#state = 'closed';
      throw e;
    }
    return this.#device!;
  }

  /** Sends one host message and resolves once the keypad ACKed it. Rejects with a TenkeyError. */
  async send(message: HostMessage): Promise<void> {
    const session = this.#liveSession();
    try {
      await session.link.send(message);
    } catch (e) {
      throw toTenkeyError(e);
    }
  }

  /** PING → PONG round trip (ms). Rejects with a TenkeyError. */
  async ping(): Promise<number> {
    const session = this.#liveSession();
    try {
      return await session.link.ping();
    } catch (e) {
      throw toTenkeyError(e);
    }
  }

  /** Releases the transport, every timer and any reconnect in progress. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed' && !this.#session && !this.#establishing) return;
    const wasConnected = this.#state === 'connected';
    this.#state = 'closed';
    if (this.#reconnectTimer !== undefined) {
      this.options.clock.clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
    }
    const session = this.#session;
    this.#session = undefined;
    if (session) await this.#endSession(session, tenkeyError('CLOSED', 'keypad closed'));
    if (this.#handshaking) await this.#endSession(this.#handshaking, tenkeyError('CLOSED', 'keypad closed while connecting'));
    if (this.#establishing) await this.#establishing.catch(() => undefined);
    if (wasConnected) {
      this.emit('connection', { status: 'disconnected', address: this.options.address, error: tenkeyError('CLOSED', 'keypad closed') });
    }
  }

  // A method, not an inline comparison: the state changes across awaits, which TypeScript's narrowing ignores.
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #liveSession(): LinkSession {
    if (this.#state === 'closed') throw tenkeyError('CLOSED', 'keypad closed');
    const session = this.#session;
    if (this.#state !== 'connected' || !session) throw tenkeyError('NOT_CONNECTED', `keypad at ${this.options.address} is reconnecting`);
    return session;
  }

  /** Opens a transport, wires decoder and link, and runs HELLO → INFO. Resolves with the session now current. */
  #establish(): Promise<LinkSession> {
    const attempt = this.#openSession();
    this.#establishing = attempt;
    const done = () => {
      if (this.#establishing === attempt) this.#establishing = undefined;
    };
    attempt.then(done, done);
    return attempt;
  }

  async #openSession(): Promise<LinkSession> {
    const { logger, address, connectTimeoutMs } = this.options;
    let transport: ByteTransport;
    try {
      transport = await this.options.openTransport();
    } catch (e) {
      throw toTenkeyError(e, 'DISCONNECTED');
    }
    if (this.#isClosed()) {
      await transport.close();
      throw tenkeyError('CLOSED', 'keypad closed while connecting');
    }

    let session: LinkSession;
    try {
      session = this.#wire(transport);
    } catch (e) {
      // Options are validated before anything opens; should wiring still throw, the port must not stay open.
      await transport.close();
      throw toTenkeyError(e);
    }

    this.#handshaking = session;
    try {
      const info = await this.#handshake(session, connectTimeoutMs);
      this.#handshaking = undefined;
      if (this.#isClosed()) throw tenkeyError('CLOSED', 'keypad closed while connecting');
      this.#session = session;
      this.#device = deviceInfoOf(info, address);
      this.#state = 'connected';
      this.#reconnectAttempt = 0;
      logger.info('keypad connected', { address, model: info.model, firmware: info.firmwareVersion, protocol: info.protocolVersion });
      this.emit('connection', { status: 'connected', address, device: this.#device });
      return session;
    } catch (e) {
      this.#handshaking = undefined;
      const error = toTenkeyError(e);
      await this.#endSession(session, error instanceof TenkeyError ? error : tenkeyError('UNKNOWN'));
      throw error;
    }
  }

  /** Builds decoder and link on a fresh transport and connects their events (no bytes are sent yet). */
  #wire(transport: ByteTransport): LinkSession {
    const { clock, logger, address } = this.options;
    const decoder = new FrameDecoder();
    const timing = this.options.link;
    const link = new LinkEndpoint({
      role: 'host',
      // A keypad that stops reading is dropped (PEER_NOT_READING), not buffered for without end.
      write: (bytes) => {
        const refused = writeWithinBudget(transport, bytes);
        if (refused !== undefined) this.#lost(session, toTenkeyError(refused));
      },
      clock,
      ...(timing.pingJitter !== undefined ? { pingJitter: timing.pingJitter } : {}),
      ...(this.options.random !== undefined ? { random: this.options.random } : {}),
      ...(timing.ackTimeoutMs !== undefined ? { ackTimeoutMs: timing.ackTimeoutMs } : {}),
      ...(timing.maxRetransmissions !== undefined ? { maxRetransmissions: timing.maxRetransmissions } : {}),
      ...(timing.pingIntervalMs !== undefined ? { pingIntervalMs: timing.pingIntervalMs } : {}),
      ...(timing.deadAfterMs !== undefined ? { deadAfterMs: timing.deadAfterMs } : {}),
    });
    const session: LinkSession = { transport, decoder, link, ended: false };

    transport.on('data', (bytes) => decoder.write(bytes));
    transport.on('close', (error) => this.#lost(session, toTenkeyError(error ?? tenkeyError('DISCONNECTED', `${address} closed`), 'DISCONNECTED')));
    decoder.on('data', (frame) => link.receiveFrame(frame));
    decoder.on('drop', (error) => {
      logger.debug('frame dropped', { cause: error.code });
      link.receiveDrop(error);
    });
    // A decoder never errors on wire input; this only guards against a destroyed stream.
    decoder.on('error', () => {});
    link.on('message', (message: Message) => this.#received(session, message));
    link.on('dead', (error) => this.#lost(session, toTenkeyError(error)));
    link.on('retransmit', (frame, attempt) => logger.debug('retransmit', { type: frame.message.type, seq: frame.seq, attempt }));
    link.on('nak', (frame) => logger.debug('NAK received', { seq: frame.seq }));

    return session;
  }

  /**
   * HELLO, then the INFO that answers it. Everything before that INFO is stale (a previous host's
   * session, bytes buffered while nobody listened) and is discarded. HELLO is asked again, as a new message, while
   * the deadline allows (PROTOCOL.md §6.5): when it failed for lack of an ACK, and when the keypad ACKed it but no
   * INFO came within the answer's own attempts (a lost INFO is not re-sent by every keypad).
   */
  #handshake(session: LinkSession, timeoutMs: number): Promise<InfoMessage> {
    const { clock } = this.options;
    const answerWaitMs = answerWaitOf(this.options.link);
    return new Promise<InfoMessage>((resolve, reject) => {
      let retryTimer: unknown;
      /** A HELLO was ACKed: the keypad is there. Until then the last NO_ACK is the better report (a silent keypad). */
      let acknowledged = false;
      let lastNoAck: TenkeyError | undefined;
      const timer = clock.setTimeout(() => {
        finish();
        reject(!acknowledged && lastNoAck !== undefined
          ? lastNoAck
          : tenkeyError('NO_HELLO_ANSWER', `no INFO from ${this.options.address} within ${timeoutMs} ms`));
      }, timeoutMs);
      const finish = () => {
        clock.clearTimeout(timer);
        clock.clearTimeout(retryTimer);
        delete session.onInfo;
        delete session.onRefused;
        delete session.onLost;
      };
      session.onRefused = (code, detail) => {
        finish();
        const error = fromDeviceError(code, redactDigits(detail));
        reject(error instanceof TenkeyError ? error : tenkeyError('UNEXPECTED_ANSWER', `${code} in answer to HELLO`));
      };
      session.onInfo = (info) => {
        finish();
        if (info.protocolVersion < PROTOCOL_VERSION_MIN || info.protocolVersion > PROTOCOL_VERSION) {
          reject(tenkeyError('VERSION_MISMATCH', `keypad chose protocol version ${info.protocolVersion}`));
        } else {
          resolve(info);
        }
      };
      session.onLost = (error) => {
        finish();
        // Silence until the link gave up: NO_ACK names it better than LINK_DEAD (nothing was ever acknowledged).
        reject(!acknowledged && lastNoAck !== undefined && error.reason === 'LINK_DEAD' ? lastNoAck : error);
      };
      const sayHello = (attempt: number): void => {
        session.link.send({ type: 'HELLO', minVersion: PROTOCOL_VERSION_MIN, maxVersion: PROTOCOL_VERSION }).then(
          () => {
            acknowledged = true;
            if (!session.onInfo) return;
            retryTimer = clock.setTimeout(() => {
              if (!session.onInfo) return;
              this.options.logger.debug('no INFO after HELLO was acknowledged: HELLO again', { attempt: attempt + 1 });
              sayHello(attempt + 1);
            }, answerWaitMs);
          },
          (e: unknown) => {
            if (!session.onInfo) return;
            const error = toTenkeyError(e);
            // Only a HELLO that was never acknowledged is worth saying again; a NAK or a closed link is final.
            if (error instanceof TenkeyError && error.reason === 'NO_ACK') {
              lastNoAck = error;
              this.options.logger.debug('HELLO not acknowledged: HELLO again', { attempt: attempt + 1 });
              sayHello(attempt + 1);
              return;
            }
            finish();
            reject(error);
          },
        );
      };
      sayHello(1);
    });
  }

  #received(session: LinkSession, message: Message): void {
    if (session.ended) return;
    if (session.onInfo) {
      if (message.type === 'INFO') session.onInfo(message);
      // Session 0 is no entry: an ERROR for it answers HELLO (UNSUPPORTED_VERSION) or refuses us (BUSY: another host).
      else if (message.type === 'ERROR' && message.sessionId === NO_SESSION_ID) session.onRefused?.(message.code, message.detail);
      else this.options.logger.debug('stale message discarded before HELLO was answered', { type: message.type });
      return;
    }
    if (session !== this.#session) return;
    if (message.type === 'INFO') {
      this.#device = deviceInfoOf(message, this.options.address);
      return;
    }
    // PONG is the link's own business; host-direction messages never get here (the link NAKs them).
    if (isDeviceMessage(message) && message.type !== 'PONG') this.emit('message', message);
  }

  /** The transport closed, or the link went silent: tear down, tell listeners, start reconnecting. */
  #lost(session: LinkSession, error: TenkeyError | Error): void {
    if (session.ended) return;
    const tenkey = error instanceof TenkeyError ? error : tenkeyError('DISCONNECTED', error.message, error);
    if (session.onLost) {
      session.onLost(tenkey);
      return;
    }
    void this.#endSession(session, tenkey);
    if (session !== this.#session) return;
    this.#session = undefined;
    if (this.#state !== 'connected') return;
    this.options.logger.warn('keypad connection lost', { address: this.options.address, cause: tenkey.reason });
    this.#state = 'reconnecting';
    this.emit('connection', { status: 'disconnected', address: this.options.address, error: tenkey });
    if (this.options.reconnect === false) {
      this.#state = 'closed';
      return;
    }
    this.#scheduleReconnect(tenkey);
  }

  #scheduleReconnect(lastError: TenkeyError): void {
    if (this.#state !== 'reconnecting' || this.options.reconnect === false) return;
    const delayMs = backoffDelay(this.#reconnectAttempt, this.options.reconnect);
    this.#reconnectAttempt++;
    this.emit('connection', { status: 'reconnecting', address: this.options.address, attempt: this.#reconnectAttempt, delayMs, error: lastError });
    this.#reconnectTimer = this.options.clock.setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#state !== 'reconnecting') return;
      this.#establish().catch((e: unknown) => {
        const error = toTenkeyError(e);
        this.options.logger.debug('reconnect attempt failed', { attempt: this.#reconnectAttempt, cause: error.reason });
        this.#scheduleReconnect(error instanceof TenkeyError ? error : lastError);
      });
    }, delayMs);
  }

  async #endSession(session: LinkSession, reason: TenkeyError): Promise<void> {
    if (session.ended) return;
    session.ended = true;
    session.onLost?.(reason);
    session.link.close();
    session.link.removeAllListeners();
    session.decoder.removeAllListeners('data');
    session.decoder.destroy();
    await session.transport.close();
    session.transport.removeAllListeners();
  }
}

/** How long INFO may take after HELLO's ACK: the answer's own attempts at the link's timing (ANSWER_WAIT_MS by default). */
function answerWaitOf(link: LinkTimingOptions): number {
  return answerWaitMs({ ackTimeoutMs: link.ackTimeoutMs ?? ACK_TIMEOUT_MS, maxRetransmissions: link.maxRetransmissions ?? MAX_RETRANSMISSIONS });
}

function deviceInfoOf(info: InfoMessage, address: string): DeviceInfo {
  return {
    address,
    model: info.model,
    firmwareVersion: info.firmwareVersion,
    serialNumber: info.serialNumber,
    keySetId: Buffer.from(info.keySetId).toString('hex'),
    protocolVersion: info.protocolVersion,
    acceptedBrands: [...info.acceptedBrands],
  };
}
