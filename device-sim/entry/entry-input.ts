/**
 * What START_ENTRY (plus the device's own settings) gives one entry session, and the defaults it falls back to.
 */
import {
  DEFAULT_INACTIVITY_TIMEOUT_S, DEFAULT_REVEAL_DIGITS, ENTRY_SESSION_CAP_S, MAX_REVEAL_DIGITS,
} from '../../protocol/constants.js';
import type { Brand } from '../../protocol/messages.js';
import type { CalendarMonth } from './card-rules.js';

export interface EntryInput {
  sessionId: number;
  /** Seconds without a key before TIMEOUT; 0 (or absent) = 60. */
  inactivityTimeoutS?: number;
  /** Last PAN digits the result may show, 0–4; default 3. Out-of-range values are clamped. */
  reveal?: number;
  expiryRequired: boolean;
  /** The card service's brands; empty = all, including 'unknown'. */
  acceptedBrands?: readonly Brand[];
  /** Overall cap on the session whatever the keys do; default 300. */
  sessionCapS?: number;
  /** Device calendar for the expiry check. */
  today: CalendarMonth;
}

export type ResolvedEntryInput = Required<EntryInput>;

/**
 * Fills defaults and clamps. The simulator answers a malformed START_ENTRY with BAD_REQUEST (see
 * entryInputProblem); the machine still never trusts its input.
 */
export function resolveEntryInput(input: EntryInput): ResolvedEntryInput {
  const timeout = wholeOr(input.inactivityTimeoutS, 0);
  const cap = wholeOr(input.sessionCapS, 0);
  return {
    sessionId: input.sessionId,
    inactivityTimeoutS: timeout > 0 ? timeout : DEFAULT_INACTIVITY_TIMEOUT_S,
    reveal: Math.min(MAX_REVEAL_DIGITS, Math.max(0, wholeOr(input.reveal, DEFAULT_REVEAL_DIGITS))),
    expiryRequired: input.expiryRequired,
    acceptedBrands: [...(input.acceptedBrands ?? [])],
    sessionCapS: cap > 0 ? cap : ENTRY_SESSION_CAP_S,
    today: { year: input.today.year, month: input.today.month },
  };
}

/** Why an input can't start a session (for a BAD_REQUEST detail), or null when it can. */
export function entryInputProblem(input: EntryInput): string | null {
  if (!Number.isInteger(input.sessionId) || input.sessionId < 0 || input.sessionId > 0xffffffff) return 'sessionId not u32';
  if (input.reveal !== undefined && !(Number.isInteger(input.reveal) && input.reveal >= 0 && input.reveal <= MAX_REVEAL_DIGITS)) {
    return `reveal must be 0-${MAX_REVEAL_DIGITS}`;
  }
  if (input.inactivityTimeoutS !== undefined && !(Number.isInteger(input.inactivityTimeoutS) && input.inactivityTimeoutS >= 0)) {
    return 'inactivityTimeoutS must be a whole number';
  }
  const { year, month } = input.today;
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) return 'bad device calendar';
  return null;
}

function wholeOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? Math.trunc(value) : fallback;
}
