/**
 * One keypad, kept connected: the connection machine (host-driver/connection/connection-machine.ts) run with the
 * driver's effects. This class opens transports, tears sessions down, logs and emits; the machine decides when.
 * Device messages after the handshake go from the link straight to 'message' listeners, not through the machine.
 * Entry logic lives above (TenkeyKeypad); this file only knows "connected, with this INFO" or not.
 */
import { EventEmitter } from 'node:events';
import { createActor } from 'xstate';
import {
  ACK_TIMEOUT_MS, MAX_RETRANSMISSIONS, isDeviceMessage, type Clock, type DeviceMessage, type HostMessage, type Message,
} from '../protocol/index.js';
import { answerWaitMs } from '../protocol/link-timing.js';
import type { BackoffOptions } from './backoff.js';
import { connectionMachine, type ConnectionActor, type ConnectionSnapshot } from './connection/connection-machine.js';
import { asTenkeyError } from './connection/handshake-rules.js';
import { sayHello, watchLink, type ConnectionEventSink } from './connection/link-effects.js';
import { LinkSession } from './connection/link-session.js';
import { tenkeyError, toTenkeyError } from './errors.js';
import type { ConnectionEvent } from './events.js';
import { emitToEachListener } from './listener-safe-emit.js';
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

/** The five states users of the connection see; the machine's transient states never settle, so never show. */
export function connectionStateOf(snapshot: ConnectionSnapshot): KeypadConnectionState {
  // Read from the value, not matches(): this runs after every step of the machine.
  const { value } = snapshot;
  if (value === 'idle' || value === 'closed') return value;
  if (typeof value === 'object' && 'linked' in value && typeof value.linked === 'object' && 'ready' in value.linked) return 'connected';
  return snapshot.context.everConnected ? 'reconnecting' : 'connecting';
}

/** What one KeypadConnection does for its machine. */
interface ConnectionEffects {
  logger: TenkeyLogger;
  /** Opens the transport and reports LINK_OPENED or OPEN_FAILED to `machine`. */
  openLink(machine: ConnectionEventSink): void;
  deliverMessages(session: LinkSession): void;
  endSession(session: LinkSession): void;
  announce(event: ConnectionEvent): void;
}

// provide() rebuilds every state node (about half a millisecond, as much as a whole replayed session's other work), so
// the machine is provided once, here; each connection's effects are found through its own actor system.
const effectsBySystem = new WeakMap<object, ConnectionEffects>();
const effectsOf = (system: object): ConnectionEffects => effectsBySystem.get(system)!;

const drivenMachine = connectionMachine.provide({
  actions: {
    openLink: ({ self, system }) => effectsOf(system).openLink(self),
    sayHello: ({ self }, { session }) => sayHello(session, self),
    watchLink: ({ self, system }, { session }) => watchLink(session, self, effectsOf(system).logger),
    deliverMessages: ({ system }, { session }) => effectsOf(system).deliverMessages(session),
    endSession: ({ system }, { session }) => effectsOf(system).endSession(session),
    log: ({ system }, { level, message, fields }) => {
      // A caller's logger that throws must not stop the machine.
      try {
        effectsOf(system).logger[level](message, fields);
      } catch {
        /* the line is lost, the connection is not */
      }
    },
    announce: ({ system }, event) => effectsOf(system).announce(event),
  },
});

export class KeypadConnection extends EventEmitter<KeypadConnectionEvents> {
  readonly #actor: ConnectionActor;
  /** Of the last settled snapshot (methods called from listeners see the state the event describes). */
  #state: KeypadConnectionState = 'idle';
  #snapshot: ConnectionSnapshot;
  /** 'connection' events the machine asked for in the step under way: emitted once its snapshot is settled. */
  readonly #announcements: ConnectionEvent[] = [];
  readonly #waiters = new Set<{ until: (state: KeypadConnectionState) => boolean; resolve: (snapshot: ConnectionSnapshot) => void }>();
  /** Sessions being torn down: close() and a failed connect() resolve only once their transports are released. */
  readonly #teardowns = new Set<Promise<void>>();

  constructor(private readonly options: KeypadConnectionOptions) {
    super();
    const { clock, logger, address, reconnect, connectTimeoutMs, link } = options;
    this.#actor = createActor(drivenMachine, {
      clock,
      input: { address, reconnect, connectTimeoutMs, answerWaitMs: answerWaitOf(link) },
    });
    effectsBySystem.set(this.#actor.system, {
      logger,
      openLink: (machine) => {
        this.#openLink().then(
          (session) => machine.send({ type: 'LINK_OPENED', session }),
          (error: unknown) => machine.send({ type: 'OPEN_FAILED', error }),
        );
      },
      deliverMessages: (session) => session.deliverTo((message) => this.#deliver(message)),
      endSession: (session) => this.#track(session.end()),
      announce: (event) => void this.#announcements.push(event),
    });
    this.#snapshot = this.#actor.getSnapshot();
    this.#actor.subscribe((snapshot) => this.#settled(snapshot));
    this.#actor.start();
  }

  get state(): KeypadConnectionState {
    return this.#state;
  }

  /** INFO of the current (or last) connection. */
  get device(): DeviceInfo | undefined {
    return this.#snapshot.context.device;
  }

  /** First connection. Rejects with a TenkeyError (no automatic retry: the caller sees the failure at once). */
  async connect(): Promise<DeviceInfo> {
    if (this.#state !== 'idle') throw new Error('KeypadConnection.connect() called twice');
    const reached = this.#until((state) => state === 'connected' || state === 'closed');
    this.#actor.send({ type: 'CONNECT' });
    const snapshot = await reached;
    if (connectionStateOf(snapshot) !== 'connected') {
      await this.#teardownsDone();
      throw snapshot.context.lastError ?? tenkeyError('CLOSED', 'keypad closed while connecting');
    }
    return snapshot.context.device!;
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

  /** TenkeyKeypad: a card entry started / ended (the machine's ready.inEntry). */
  entryStarted(): void {
    this.#actor.send({ type: 'ENTRY_STARTED' });
  }

  entryEnded(): void {
    this.#actor.send({ type: 'ENTRY_ENDED' });
  }

  /** Releases the transport, every timer and any reconnect in progress; waits for an open under way. Idempotent. */
  async close(): Promise<void> {
    const closed = this.#until((state) => state === 'closed');
    this.#actor.send({ type: 'CLOSE' });
    await closed;
    await this.#teardownsDone();
  }

  #liveSession(): LinkSession {
    if (this.#state === 'closed') throw tenkeyError('CLOSED', 'keypad closed');
    const session = this.#snapshot.context.session;
    if (this.#state !== 'connected' || !session) throw tenkeyError('NOT_CONNECTED', `keypad at ${this.options.address} is reconnecting`);
    return session;
  }

  /** Every frame's message after the handshake: the hot path, a plain call. */
  #deliver(message: Message): void {
    if (message.type === 'INFO') this.#actor.send({ type: 'INFO', info: message });
    // PONG is the link's own business; host-direction messages never get here (the link NAKs them).
    else if (isDeviceMessage(message) && message.type !== 'PONG') this.emit('message', message);
  }

  async #openLink(): Promise<LinkSession> {
    const { clock, logger, address, link, random } = this.options;
    let transport: ByteTransport;
    try {
      transport = await this.options.openTransport();
    } catch (e) {
      throw asTenkeyError(e, 'DISCONNECTED');
    }
    try {
      return new LinkSession(transport, { address, clock, logger, link, random });
    } catch (e) {
      // Options are validated before anything opens; should wiring still throw, the port must not stay open.
      await transport.close();
      throw asTenkeyError(e);
    }
  }

  #settled(snapshot: ConnectionSnapshot): void {
    this.#snapshot = snapshot;
    this.#state = connectionStateOf(snapshot);
    const announcements = this.#announcements.splice(0);
    // Waiters first: a listener that throws must not leave connect() or close() waiting.
    for (const waiter of [...this.#waiters]) {
      if (!waiter.until(this.#state)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(snapshot);
    }
    // Inside xstate's subscriber a listener's throw would be rethrown as an uncaught exception: logged instead.
    for (const event of announcements) {
      emitToEachListener(this, 'connection', event, (e) => {
        this.options.logger.warn('a connection listener threw', { status: event.status, cause: e instanceof Error ? e.name : typeof e });
      });
    }
  }

  /** The first settled snapshot whose state passes `until` (the current one if it already does). */
  #until(until: (state: KeypadConnectionState) => boolean): Promise<ConnectionSnapshot> {
    if (until(this.#state)) return Promise.resolve(this.#snapshot);
    return new Promise((resolve) => this.#waiters.add({ until, resolve }));
  }

  #track(teardown: Promise<void>): void {
    const tracked = teardown.catch((e: unknown) => {
      this.options.logger.debug('transport close failed', { cause: toTenkeyError(e).reason });
    });
    this.#teardowns.add(tracked);
    void tracked.then(() => this.#teardowns.delete(tracked));
  }

  async #teardownsDone(): Promise<void> {
    while (this.#teardowns.size > 0) await Promise.all([...this.#teardowns]);
  }
}

/** How long INFO may take after HELLO's ACK: the answer's own attempts at the link's timing (ANSWER_WAIT_MS by default). */
function answerWaitOf(link: LinkTimingOptions): number {
  return answerWaitMs({ ackTimeoutMs: link.ackTimeoutMs ?? ACK_TIMEOUT_MS, maxRetransmissions: link.maxRetransmissions ?? MAX_RETRANSMISSIONS });
}
