/**
 * How the fault soak judges one ended entry: a RESULT must be this entry's own (the session the driver opened for
 * its readCard, a RESULT the keypad sent for that session, typed with this entry's keys, a KSN no earlier entry
 * got) and decrypt (TEST BDK) to exactly the card typed; an error must be one of the four store errors the entry
 * can honestly end with. Counts go into the row; nothing here names a card number.
 */
import { decryptCardBlock } from '../../device-sim/crypto/card-block-decrypt.js';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { isTenkeyCancelled, isTenkeyError } from '../../host-driver/errors.js';
import type { CardReadResult } from '../../host-driver/results.js';
import type { SoakRow } from './soak-harness.js';
import { brandOf, type PlannedEntry } from './soak-plan.js';

/** What the keypad did in a row, keyed by its session ids and RESULT KSNs. */
export interface KeypadTrail {
  /** Keypad session → index of the entry whose keys the person typed into it. */
  typedEntryOf: Map<number, number>;
  /** Keypad sessions that took every key of their entry. */
  fullyTyped: Set<number>;
  /** KSN (hex) of every RESULT the keypad sent → the session it was sent for. */
  resultSessionOf: Map<string, number>;
}

/** The keypad's trail plus the session the driver opened for this readCard (undefined when it opened none). */
export interface EntryTrail extends KeypadTrail {
  driverSession: number | undefined;
}

export interface JudgeContext {
  /** TEST BDK. */
  bdk: Buffer;
  /** Across rows: every KSN and session id a result carried. */
  seen: { ksns: Set<string>; sessions: Set<number> };
}

export function emptyKeypadTrail(): KeypadTrail {
  return { typedEntryOf: new Map(), fullyTyped: new Set(), resultSessionOf: new Map() };
}

export type JudgedCounts = Pick<SoakRow, 'results' | 'errors' | 'causes' | 'cancelled' | 'duplicated' | 'wrongCard' | 'wrongOutcome'>;

export function judgeResult(row: JudgedCounts, entry: PlannedEntry, result: CardReadResult, trail: EntryTrail, context: JudgeContext): void {
  if (context.seen.ksns.has(result.keySerialNumber) || context.seen.sessions.has(result.sessionId)) {
    row.duplicated++;
    return;
  }
  context.seen.ksns.add(result.keySerialNumber);
  context.seen.sessions.add(result.sessionId);
  const own = result.sessionId === trail.driverSession
    && trail.resultSessionOf.get(result.keySerialNumber) === result.sessionId
    && trail.typedEntryOf.get(result.sessionId) === entry.index;
  if (!own) {
    row.wrongCard++; // another entry's RESULT (or one the keypad never sent) is wrong even when it holds the same card
    return;
  }
  const pan = TEST_CARDS[entry.card];
  let matches = false;
  try {
    const card = decryptCardBlock(context.bdk, Buffer.from(result.keySerialNumber, 'hex'), Buffer.from(result.encryptedBlock, 'hex'));
    matches = card.pan === pan && card.expiry === entry.expiry;
  } catch {
    matches = false; // a block that does not decrypt is as wrong as another card
  }
  if (matches && !entry.expired && result.brand === brandOf(entry.card) && result.last === pan.slice(-3)) row.results++;
  else row.wrongCard++;
}

export function judgeError(row: JudgedCounts, entry: PlannedEntry, error: unknown, trail: EntryTrail): void {
  if (isTenkeyCancelled(error)) {
    row.cancelled++;
    row.wrongOutcome++; // nobody cancels in the soak (a lost entry's own cancel is not judged): a cancel is spurious
    return;
  }
  if (!isTenkeyError(error)) {
    row.wrongOutcome++; // not one of the four: exactly what the store must never see
    return;
  }
  row.errors[error.code]++;
  row.causes[error.reason] = (row.causes[error.reason] ?? 0) + 1;
  // The keypad refuses a card only for what was typed; a valid card typed in full cannot earn CARD_SERVICE.
  if (error.code === 'CARD_SERVICE' && !entry.expired) row.wrongOutcome++;
  // Every key typed means the keypad left its fields and ended the session at once (RESULT or refusal), before its
  // inactivity timer or session cap could run: keys are pressed on the keypad itself, so the line's faults and
  // delays (on the same virtual clock) cannot stretch the gaps between them. From then on the driver's probes learn
  // of the end, or the link dies (CONNECTION) long before the host guard (HOST_SESSION_LIMIT, 310 s) could fire.
  const session = trail.driverSession;
  if (error.code === 'ENTRY_TIMEOUT' && session !== undefined && trail.typedEntryOf.get(session) === entry.index
    && trail.fullyTyped.has(session)) row.wrongOutcome++;
}
