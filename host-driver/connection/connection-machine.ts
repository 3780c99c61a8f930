/**
 * The driver's connection to one keypad as an xstate machine:
 *
 *   idle → connecting (open the transport) → linked.handshaking (HELLO → INFO) → linked.ready (idle ⇄ inEntry)
 *   loss → reconnecting (backoff) → connecting …;  close() from anywhere → closed.
 *
 * It names its effects and nothing else: opening a transport (`openLink`), saying HELLO (`sayHello`), hearing the
 * answer to HELLO and the loss of the link (`watchLink`), routing the driver's messages, ending a session, logging
 * and telling listeners (`deliverMessages`, `endSession`, `log`, `announce`). KeypadConnection supplies them with
 * `provide()`; the model test (test/host-driver/connection-machine.test.ts) supplies recording stubs.
 *
 * The effects are actions, not invoked actors: an actor per open, per HELLO and per watch cost more than the rest
 * of the machine (each is created, started, stopped, and a promise one aborts with a DOMException when outrun).
 * An effect that waits reports back with an event (LINK_OPENED / OPEN_FAILED, HELLO_ACKED / HELLO_FAILED, and
 * watchLink's INFO / REFUSED / LINK_LOST). Nothing stale comes back: one open runs at a time (close() waits for it
 * in `abandoning`), one HELLO at a time per session, and `endSession` — on every way out of `linked` — silences the
 * session's HELLO and its watch.
 *
 * Keepalive and LINK_DEAD stay the LinkEndpoint's own timers (protocol/link.ts, configured by the driver's `link`
 * options): the link re-arms them on every frame it hears or message it sends, per-frame work that must not pass
 * through this machine's event loop. The machine hears their outcome: a dead link is a LINK_LOST event, as is a
 * closed transport or a keypad that stopped reading. Messages after the handshake also bypass the machine
 * (`deliverMessages`); only an INFO re-sent by the keypad comes back in, to refresh `device`.
 */
import { assign, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import type { DeviceErrorName, InfoMessage } from '../../protocol/index.js';
import { backoffDelay, type BackoffOptions } from '../backoff.js';
import { tenkeyError, type TenkeyError } from '../errors.js';
import type { ConnectionEvent } from '../events.js';
import type { LogFields, LogLevel } from '../logger.js';
import type { DeviceInfo } from '../results.js';
import { deviceInfoOf } from './device-info.js';
import {
  asTenkeyError, deadlineError, isNoAck, isSupportedVersion, lossError, refusal, versionMismatch, type HelloProgress,
} from './handshake-rules.js';
import type { LinkSession } from './link-session.js';

export interface ConnectionInput {
  /** The address as configured (events, DeviceInfo, errors). */
  address: string;
  /** Backoff between reconnect attempts, or false: a lost keypad stays lost. */
  reconnect: BackoffOptions | false;
  /** How long the handshake may take once the transport is open (ms). */
  connectTimeoutMs: number;
  /** How long INFO may take after HELLO's ACK before HELLO is said again (ms; the link's answer wait). */
  answerWaitMs: number;
}

export interface ConnectionContext extends ConnectionInput, HelloProgress {
  /** The transport of this attempt, wired: set from open to loss or close. */
  session: LinkSession | undefined;
  /** INFO of the current (or last) connection. */
  device: DeviceInfo | undefined;
  /** Reached ready once: later failures reconnect instead of ending the connection. */
  everConnected: boolean;
  /** Reconnect attempts since the last connection (the 1-based number of the one about to be made). */
  attempt: number;
  /** Wait before that attempt (ms). */
  backoffMs: number;
  /** Why the last connection or attempt ended: the reconnecting event's error, connect()'s rejection. */
  lastError: TenkeyError | undefined;
}

/** What the machine hears: the class's calls, its effects' reports (open, HELLO, the watch), the keypad's INFO. */
export type ConnectionMachineEvent =
  | { type: 'CONNECT' }
  | { type: 'CLOSE' }
  | { type: 'LINK_OPENED'; session: LinkSession }
  | { type: 'OPEN_FAILED'; error: unknown }
  | { type: 'HELLO_ACKED' }
  | { type: 'HELLO_FAILED'; error: unknown }
  | { type: 'INFO'; info: InfoMessage }
  | { type: 'REFUSED'; code: DeviceErrorName; detail: string }
  | { type: 'LINK_LOST'; error: TenkeyError }
  | { type: 'ENTRY_STARTED' }
  | { type: 'ENTRY_ENDED' };

export interface LogParams { level: LogLevel; message: string; fields?: LogFields }
export interface SessionParams { session: LinkSession }
export interface EndSessionParams extends SessionParams { reason: TenkeyError }

const closedError = (detail: string) => tenkeyError('CLOSED', detail);
const HELLO_STARTED: HelloProgress = { acknowledged: false, lastNoAck: undefined };

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionMachineEvent,
    input: {} as ConnectionInput,
  },
  actions: {
    /** Opens a fresh transport and wires decoder and link on it (no bytes sent yet): LINK_OPENED, or OPEN_FAILED. */
    openLink: () => {},
    /** Sends one HELLO: HELLO_ACKED on its ACK, HELLO_FAILED as LinkEndpoint.send fails (NO_ACK, NAK_RECEIVED …). */
    sayHello: (_, _params: SessionParams) => {},
    /**
     * Until the session ends: LINK_LOST once when it is lost; until `deliverMessages`, its INFO as INFO, its ERROR
     * for session 0 as REFUSED, and the rest discarded (stale before HELLO is answered).
     */
    watchLink: (_, _params: SessionParams) => {},
    /** From now on the session's device messages go straight to the driver (not through this machine). */
    deliverMessages: (_, _params: SessionParams) => {},
    /** Stops the link (its HELLO and watch report nothing more) and closes the transport. */
    endSession: (_, _params: EndSessionParams) => {},
    log: (_, _params: LogParams) => {},
    /** Emits a 'connection' event. */
    announce: (_, _params: ConnectionEvent) => {},
    /** close() ended it: the last error is CLOSED (what connect() rejects with, had it not resolved yet). */
    noteClosed: assign({ lastError: () => closedError('keypad closed') }),
  },
  guards: {
    mayReconnect: ({ context }) => context.everConnected && context.reconnect !== false,
    reconnects: ({ context }) => context.reconnect !== false,
  },
  delays: {
    connectDeadline: ({ context }) => context.connectTimeoutMs,
    answerWait: ({ context }) => context.answerWaitMs,
    backoff: ({ context }) => context.backoffMs,
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({
    ...input, ...HELLO_STARTED,
    session: undefined, device: undefined, everConnected: false, attempt: 0, backoffMs: 0, lastError: undefined,
  }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        CONNECT: 'connecting',
        CLOSE: { target: 'closed', actions: 'noteClosed' },
      },
    },

    connecting: {
      entry: 'openLink',
      initial: 'opening',
      states: {
        opening: {
          on: {
            LINK_OPENED: { target: '#connection.linked', actions: assign({ session: ({ event }) => event.session, ...HELLO_STARTED }) },
            OPEN_FAILED: { target: '#connection.attemptFailed', actions: assign({ lastError: ({ event }) => asTenkeyError(event.error, 'DISCONNECTED') }) },
            CLOSE: 'abandoning',
          },
        },
        // close() waits for the open to settle, so that nothing it opens outlives the connection.
        abandoning: {
          on: {
            // The transport opened after all: it is released at once.
            LINK_OPENED: {
              target: '#connection.closed',
              actions: [
                assign({ lastError: () => closedError('keypad closed while connecting') }),
                { type: 'endSession', params: ({ context, event }) => ({ session: event.session, reason: context.lastError! }) },
              ],
            },
            OPEN_FAILED: { target: '#connection.closed', actions: assign({ lastError: ({ event }) => asTenkeyError(event.error, 'DISCONNECTED') }) },
          },
        },
      },
    },

    linked: {
      entry: { type: 'watchLink', params: ({ context }) => ({ session: context.session! }) },
      initial: 'handshaking',
      states: {
        /**
         * HELLO, then the INFO that answers it; everything before that INFO is stale and discarded. HELLO is said
         * again, as a new message, while the deadline allows (PROTOCOL.md §6.5): when it failed for lack of an ACK,
         * and when the keypad ACKed it but no INFO came within the answer's own attempts.
         */
        handshaking: {
          after: {
            connectDeadline: {
              target: '#connection.handshakeFailed',
              actions: assign({ lastError: ({ context }) => deadlineError(context, context.address, context.connectTimeoutMs) }),
            },
          },
          on: {
            INFO: [
              {
                guard: ({ event }) => isSupportedVersion(event.info),
                target: 'ready',
                actions: assign({ device: ({ context, event }) => deviceInfoOf(event.info, context.address) }),
              },
              { target: '#connection.handshakeFailed', actions: assign({ lastError: ({ event }) => versionMismatch(event.info) }) },
            ],
            REFUSED: {
              target: '#connection.handshakeFailed',
              actions: assign({ lastError: ({ event }) => refusal(event.code, event.detail) }),
            },
            LINK_LOST: {
              target: '#connection.handshakeFailed',
              actions: assign({ lastError: ({ context, event }) => lossError(context, event.error) }),
            },
            CLOSE: {
              target: '#connection.closed',
              actions: [
                assign({ lastError: () => closedError('keypad closed while connecting') }),
                { type: 'endSession', params: ({ context }) => ({ session: context.session!, reason: context.lastError! }) },
                assign({ session: undefined }),
              ],
            },
          },
          initial: 'sayingHello',
          states: {
            sayingHello: {
              entry: { type: 'sayHello', params: ({ context }) => ({ session: context.session! }) },
              on: {
                HELLO_ACKED: { target: 'awaitingInfo', actions: assign({ acknowledged: true }) },
                HELLO_FAILED: [
                  {
                    guard: ({ event }) => isNoAck(event.error),
                    target: 'sayingHello',
                    reenter: true,
                    actions: [
                      assign({ lastNoAck: ({ event }) => asTenkeyError(event.error) }),
                      { type: 'log', params: { level: 'debug', message: 'HELLO not acknowledged: HELLO again' } },
                    ],
                  },
                  { target: '#connection.handshakeFailed', actions: assign({ lastError: ({ event }) => asTenkeyError(event.error) }) },
                ],
              },
            },
            awaitingInfo: {
              after: {
                answerWait: {
                  target: 'sayingHello',
                  actions: { type: 'log', params: { level: 'debug', message: 'no INFO after HELLO was acknowledged: HELLO again' } },
                },
              },
            },
          },
        },

        ready: {
          entry: [
            assign({ attempt: 0, everConnected: true, lastError: undefined }),
            { type: 'deliverMessages', params: ({ context }) => ({ session: context.session! }) },
            {
              type: 'log',
              params: ({ context }) => ({
                level: 'info', message: 'keypad connected',
                fields: {
                  address: context.address, model: context.device?.model, firmware: context.device?.firmwareVersion,
                  protocol: context.device?.protocolVersion,
                },
              }),
            },
            { type: 'announce', params: ({ context }) => ({ status: 'connected', address: context.address, device: context.device! }) },
          ],
          on: {
            // The keypad may send INFO again (after GET_INFO, or unasked): the newest is the device.
            INFO: { actions: assign({ device: ({ context, event }) => deviceInfoOf(event.info, context.address) }) },
            LINK_LOST: { target: '#connection.lost', actions: assign({ lastError: ({ event }) => event.error }) },
            CLOSE: {
              target: '#connection.closed',
              actions: [
                'noteClosed',
                { type: 'endSession', params: ({ context }) => ({ session: context.session!, reason: context.lastError! }) },
                { type: 'announce', params: ({ context }) => ({ status: 'disconnected', address: context.address, error: context.lastError! }) },
                assign({ session: undefined }),
              ],
            },
          },
          initial: 'idle',
          states: {
            idle: { on: { ENTRY_STARTED: 'inEntry' } },
            // An entry runs (TenkeyKeypad says when): a loss now also fails that entry, through 'disconnected'.
            inEntry: { on: { ENTRY_ENDED: 'idle' } },
          },
        },
      },
    },

    /** A ready connection's session was lost: released, logged, announced; then reconnect, or stay lost. */
    lost: {
      entry: [
        { type: 'endSession', params: ({ context }) => ({ session: context.session!, reason: context.lastError! }) },
        assign({ session: undefined }),
        { type: 'log', params: ({ context }) => ({ level: 'warn', message: 'keypad connection lost', fields: { address: context.address, cause: context.lastError?.reason } }) },
        { type: 'announce', params: ({ context }) => ({ status: 'disconnected', address: context.address, error: context.lastError! }) },
      ],
      always: [{ guard: 'reconnects', target: 'reconnecting' }, { target: 'closed' }],
    },

    /** A handshake failed: its transport is released, then the next attempt is scheduled or the connection ends. */
    handshakeFailed: {
      entry: [
        { type: 'endSession', params: ({ context }) => ({ session: context.session!, reason: context.lastError! }) },
        assign({ session: undefined }),
      ],
      always: 'attemptFailed',
    },

    attemptFailed: {
      always: [
        {
          guard: 'mayReconnect',
          target: 'reconnecting',
          actions: { type: 'log', params: ({ context }) => ({ level: 'debug', message: 'reconnect attempt failed', fields: { attempt: context.attempt, cause: context.lastError?.reason } }) },
        },
        // The first connection: no retry, openTenkey's caller sees the failure at once.
        { target: 'closed' },
      ],
    },

    reconnecting: {
      entry: [
        assign({
          backoffMs: ({ context }) => backoffDelay(context.attempt, context.reconnect || undefined),
          attempt: ({ context }) => context.attempt + 1,
        }),
        {
          type: 'announce',
          params: ({ context }) => ({
            status: 'reconnecting', address: context.address, attempt: context.attempt, delayMs: context.backoffMs,
            ...(context.lastError ? { error: context.lastError } : {}),
          }),
        },
      ],
      after: { backoff: 'connecting' },
      on: { CLOSE: { target: 'closed', actions: 'noteClosed' } },
    },

    closed: {},
  },
});

export type ConnectionMachine = typeof connectionMachine;
export type ConnectionSnapshot = SnapshotFrom<ConnectionMachine>;
export type ConnectionActor = ActorRefFrom<ConnectionMachine>;
