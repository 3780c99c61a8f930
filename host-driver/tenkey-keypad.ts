/**
 * A connected keypad as a store backend sees it: one card entry at a time, progress events for the
 * popup, cancellation from the popup or the keypad, and a connection that heals itself.
 */
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Brand, Clock, DeviceMessage } from '../protocol/index.js';
import { CardEntry, type CardEntryOutcome } from './card-entry.js';
import { isTenkeyError, tenkeyError, TenkeyCancelledError, toTenkeyError } from './errors.js';
import type { ConnectionStatus, TenkeyKeypadEvents } from './events.js';
import type { KeypadConnection } from './keypad-connection.js';
import { emitToEachListener } from './listener-safe-emit.js';
import type { TenkeyLogger } from './logger.js';
import { resolveReadCardOptions, type ReadCardOptions } from './options.js';
import { acceptedBrandsOf, findCardService, unknownServiceError } from './services.js';
import type { CardReadResult, DeviceInfo } from './results.js';

/** What TenkeyKeypad needs besides the connection (built by openTenkey). */
export interface TenkeyKeypadSettings {
  /** Brands of the configured 利用サービス; empty = the keypad's own set. */
  acceptedBrands: readonly Brand[];
  clock: Clock;
  logger: TenkeyLogger;
  /** Session id of the first entry; default random (the fault soak fixes it so a seed replays byte for byte). */
  firstSessionId?: number;
}

/**
 * A keypad after openTenkey: connected, HELLO answered, INFO known.
 *
 * Events:
 * - `'progress'` ({@link EntryProgress}): state, field and digit count of the running entry, never digits.
 * - `'connection'` ({@link ConnectionEvent}): connected / disconnected / reconnecting.
 */
export class TenkeyKeypad extends EventEmitter<TenkeyKeypadEvents> {
  #entry: CardEntry | undefined;
  #nextSessionId: number;
  #closed = false;

  /** @internal Built by openTenkey after the connection's first handshake. */
  constructor(
    private readonly connection: KeypadConnection,
    private readonly settings: TenkeyKeypadSettings,
  ) {
    super();
    this.#nextSessionId = settings.firstSessionId ?? randomInt(1, 0x7fffffff);
    connection.on('message', (message) => this.#received(message));
    connection.on('connection', (event) => {
      if (event.status === 'disconnected' && this.#entry) {
        // An entry cannot survive a lost link: the keypad forgets it, and its RESULT could not reach us.
        this.#entry.fail(event.error ?? tenkeyError('DISCONNECTED'));
      }
      // A store backend's listener that throws is logged; it neither crashes the driver nor silences the others.
      emitToEachListener(this, 'connection', event, (e) => {
        this.settings.logger.warn('a connection listener threw', { status: event.status, cause: e instanceof Error ? e.name : typeof e });
      });
    });
  }

  /** INFO of the current (or last) connection. */
  get device(): DeviceInfo {
    return this.connection.device!;
  }

  /** 'connected', or 'reconnecting' / 'disconnected' while the port is away, or 'closed'. */
  get status(): ConnectionStatus | 'closed' {
    const state = this.connection.state;
    if (state === 'connected') return 'connected';
    if (state === 'reconnecting') return 'reconnecting';
    if (state === 'closed') return 'closed';
    return 'disconnected';
  }

  /** True while a readCard runs. */
  get busy(): boolean {
    return this.#entry !== undefined;
  }

  /**
   * Asks the person at the keypad for a card number (and expiry) and resolves with the encrypted card.
   *
   * Rejects with a {@link TenkeyError} (CARD_SERVICE, CONNECTION, ENTRY_TIMEOUT, TEMPORARY) or, when
   * cancelled by {@link cancel}, `options.signal` or the keypad's cancel key, a {@link TenkeyCancelledError}.
   * A second call while one runs rejects at once with TEMPORARY, cause ENTRY_IN_PROGRESS. `options.service`
   * (利用サービス for this entry only) naming no card service rejects at once with CONNECTION, cause UNKNOWN_SERVICE.
   */
  async readCard(options: ReadCardOptions = {}): Promise<CardReadResult> {
    if (this.#closed) throw tenkeyError('CLOSED', 'keypad closed');
    if (this.#entry) throw tenkeyError('ENTRY_IN_PROGRESS', `session ${this.#entry.sessionId} is still running`);
    // Everything a caller can get wrong is checked before the keypad hears of the entry.
    const resolved = resolveReadCardOptions(options);
    if ('invalid' in resolved) throw tenkeyError('INVALID_OPTIONS', resolved.invalid);
    const { signal, service, ...entryOptions } = resolved;
    const acceptedBrands = this.#acceptedBrandsFor(service);
    if (signal?.aborted) throw new TenkeyCancelledError('host');
    if (this.connection.state !== 'connected') throw tenkeyError('NOT_CONNECTED', `keypad at ${this.connection.device?.address ?? '?'} is reconnecting`);

    const sessionId = this.#takeSessionId();
    const entry = new CardEntry({
      ...entryOptions,
      sessionId,
      clock: this.settings.clock,
      device: () => this.device,
      onProgress: (progress) => emitToEachListener(this, 'progress', progress, (e) => {
        this.settings.logger.warn('a progress listener threw', { session: sessionId, cause: e instanceof Error ? e.name : typeof e });
      }),
      // Nothing about the entry for a while: ask, in case its RESULT or ERROR was lost (PROTOCOL.md §9.7).
      probe: () => {
        this.settings.logger.debug('entry quiet: GET_STATUS', { session: sessionId });
        this.connection.send({ type: 'GET_STATUS' }).catch((e: unknown) => {
          this.settings.logger.debug('GET_STATUS not delivered', { session: sessionId, cause: toTenkeyError(e).reason });
        });
      },
    });
    const onAbort = () => void this.cancel();
    const { logger } = this.settings;
    this.#entry = entry;
    this.connection.entryStarted();
    try {
      signal?.addEventListener('abort', onAbort, { once: true });
      logger.info('entry started', { session: sessionId, timeoutSeconds: entryOptions.timeoutSeconds, reveal: entryOptions.reveal });
      this.connection
        .send({
          type: 'START_ENTRY',
          sessionId,
          inactivityTimeoutS: entryOptions.timeoutSeconds,
          reveal: entryOptions.reveal,
          expiryRequired: entryOptions.expiryRequired,
          acceptedBrands: [...acceptedBrands],
        })
        .catch((e: unknown) => {
          const error = toTenkeyError(e);
          entry.fail(error);
          // Every ACK lost is not every copy lost: the keypad may be running the entry; end it, or it refuses the next BUSY.
          if (isTenkeyError(error) && error.reason === 'NO_ACK') {
            this.connection.send({ type: 'CANCEL', sessionId }).catch(() => undefined);
          }
        });
    } catch (e) {
      // Nothing after the slot is taken should throw; if something does (a caller's logger), the entry ends here.
      entry.fail(toTenkeyError(e));
    }

    let outcome: CardEntryOutcome;
    try {
      outcome = await entry.outcome;
    } finally {
      // Whatever happens, the slot is free again and the caller's signal forgets us.
      signal?.removeEventListener('abort', onAbort);
      if (this.#entry === entry) this.#endEntry();
    }
    if (outcome.ok) {
      logger.info('entry done', { session: sessionId, brand: outcome.result.brand });
      return outcome.result;
    }
    const { error } = outcome;
    // The keypad may still be running an entry the driver could not follow: end it, or it refuses the next one BUSY.
    if (isTenkeyError(error) && error.reason === 'ENTRY_OUT_OF_STEP') this.connection.send({ type: 'CANCEL', sessionId }).catch(() => undefined);
    if (error instanceof TenkeyCancelledError) logger.info('entry cancelled', { session: sessionId, by: error.by });
    else logger.warn('entry failed', { session: sessionId, code: error.code, cause: error.reason });
    throw error;
  }

  /**
   * Cancels the running entry (the store popup's キャンセル button): its readCard rejects with
   * TenkeyCancelledError at once, and CANCEL goes to the keypad. Resolves when the keypad has it;
   * does nothing when no entry runs. Never rejects.
   */
  async cancel(): Promise<void> {
    const entry = this.#entry;
    if (!entry || entry.settled) return;
    entry.fail(new TenkeyCancelledError('host'));
    // Free the slot now: a readCard after cancel() queues its START_ENTRY behind this CANCEL on the link.
    if (this.#entry === entry) this.#endEntry();
    try {
      await this.connection.send({ type: 'CANCEL', sessionId: entry.sessionId });
    } catch (e) {
      this.settings.logger.debug('CANCEL not delivered', { session: entry.sessionId, cause: toTenkeyError(e).reason });
    }
  }

  /**
   * Sends one PING and resolves with the PING → PONG round trip in ms of the driver's clock (`tenkey doctor`,
   * `npm run bench`). Rejects with a {@link TenkeyError} CONNECTION: NOT_CONNECTED while reconnecting, CLOSED
   * after close(), NO_ACK when the keypad acknowledges nothing, LINK_CLOSED when the link drops under it.
   */
  ping(): Promise<number> {
    return this.connection.ping();
  }

  /**
   * Cancels any entry, closes the port or socket and stops every timer and reconnect attempt.
   * Afterwards nothing of the driver keeps the process alive. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const entry = this.#entry;
    if (entry && !entry.settled) {
      // Best effort: tell the keypad to stop waiting for keys before the port goes away.
      entry.fail(tenkeyError('CLOSED', 'keypad closed during entry'));
      await this.connection.send({ type: 'CANCEL', sessionId: entry.sessionId }).catch(() => undefined);
    }
    this.#entry = undefined;
    await this.connection.close();
  }

  /** The entry slot is free again; the connection machine leaves its inEntry state. */
  #endEntry(): void {
    this.#entry = undefined;
    this.connection.entryEnded();
  }

  #received(message: DeviceMessage): void {
    this.#entry?.handle(message);
  }

  /** The entry's own 利用サービス when it names one, else openTenkey's; an unknown name is a settings problem, as in openTenkey. */
  #acceptedBrandsFor(service: string | undefined): readonly Brand[] {
    if (service === undefined) return this.settings.acceptedBrands;
    const found = findCardService(service);
    if (!found) throw unknownServiceError(service);
    return acceptedBrandsOf(found);
  }

  #takeSessionId(): number {
    const id = this.#nextSessionId;
    this.#nextSessionId = id >= 0xfffffffe ? 1 : id + 1;
    return id;
  }
}
