/** Events a TenkeyKeypad emits. Counts and states only: a UI draws ●●●● from `digits`, never from digits. */
import type { EntryFieldName, EntryNoticeName, EntryStateName, KeyClassName } from '../protocol/index.js';
import type { TenkeyError } from './errors.js';
import type { DeviceInfo } from './results.js';

/**
 * Progress of the running entry: one event per change, from the driver's run of the entry statechart on the
 * keypad's reports — each KEY, each STATUS that changes what is shown, and the end (once, when readCard settles).
 * Keys that outrun the line may arrive as one report with the newest count (PROTOCOL.md §5.11): draw `digits`,
 * never count events.
 */
export interface EntryProgress {
  sessionId: number;
  /** PAN / EXPIRY while typing; PROCESSING while encrypting; DONE, TIMEOUT, CANCELLED or FAILED when over (close the popup). */
  state: EntryStateName;
  /** Field being typed (NONE before and after). */
  field: EntryFieldName;
  /** How many digits the field holds: draw that many ●. */
  digits: number;
  /** Seconds before the inactivity timeout, as the keypad last reported (reset by each key); 0 when no field is open. */
  secondsLeft: number;
  /**
   * When that timeout ends the entry if no key comes, in ms on the driver's clock (`Date.now()` scale in
   * production; virtual ms under `tenkey/testing`'s virtual time). Code on the driver's machine counts down with
   * `Math.ceil((deadline - Date.now()) / 1000)`; a page on another machine should count from `secondsLeft` as of
   * the event's arrival instead (the two clocks need not agree), as the reference popup does. Null when no field is
   * open (PROCESSING and the end).
   */
  deadline: number | null;
  /** A keypad notice after the last key, e.g. INVALID_PAN when a number failed its check digit. */
  notice: EntryNoticeName;
  /** Class of the key just pressed, when this progress came from a key (never which digit). */
  key?: KeyClassName;
}

export type ConnectionStatus = 'connected' | 'disconnected' | 'reconnecting';

/**
 * The link to the keypad changed: 'connected' after every successful HELLO → INFO (first open and each
 * reconnect), 'disconnected' when the port or socket went away (an entry in flight fails with CONNECTION;
 * also emitted once by close(), reason CLOSED), 'reconnecting' before each attempt, with its backoff delay.
 */
export interface ConnectionEvent {
  status: ConnectionStatus;
  /** The keypad's address. */
  address: string;
  /** INFO from the handshake (on 'connected'). */
  device?: DeviceInfo;
  /** Why the link went down or the last attempt failed (on 'disconnected' / 'reconnecting'). */
  error?: TenkeyError;
  /** 1-based reconnect attempt about to be made (on 'reconnecting'). */
  attempt?: number;
  /** Wait before that attempt (ms). */
  delayMs?: number;
}

export interface TenkeyKeypadEvents {
  progress: [progress: EntryProgress];
  connection: [event: ConnectionEvent];
}
