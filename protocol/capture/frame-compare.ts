/**
 * How `tenkey replay` decides that a frame the real code produced "is" the recorded one.
 *
 * Frames are compared decoded, never as bytes: CRCs, COBS and chunking follow from the fields. Normalisation
 * (documented in CAPTURE-FORMAT.md, "Replay"):
 * - Header: seq, the RETRANSMISSION flag and the type must match exactly.
 * - Values one side picks at random and the other only echoes — sessionId (the host draws it), PING/PONG
 *   nonce — are compared through a binding: the first time a recorded value meets an actual one they are
 *   bound, and from then on each must always meet its partner (a one-to-one map). Session 0 means "none" and
 *   is compared literally.
 * - RESULT: sessionId (bound), brand and last exactly; keySerialNumber exactly in its key-set part (first 8
 *   bytes) with the DUKPT counter bound like a session id; encryptedBlock by length only (a fresh IV per
 *   encryption: equal ciphertexts would be a bug).
 * - STATUS.secondsLeft within ±1 s (the device rounds a running timer to whole seconds).
 * - Bytes that did not decode (noise, a cut-off frame) match bytes that did not decode for the same reason.
 * Everything else (INFO, KEY, ERROR code and detail, NAK reason, …) must be equal.
 */
import { fieldToJson } from '../describe.js';
import type { Message } from '../messages.js';
import type { CapturedFrame } from './capture-frames.js';
import { formatFrameLine } from './frame-listing.js';

/** A one-to-one map between recorded and actual values of one kind. */
export class Binding<T> {
  readonly #toActual = new Map<T, T>();
  readonly #toRecorded = new Map<T, T>();

  constructor(readonly name: string) {}

  /** Whether `recorded` and `actual` may be partners (already are, or both are still unbound). */
  fits(recorded: T, actual: T): boolean {
    const a = this.#toActual.get(recorded);
    const r = this.#toRecorded.get(actual);
    if (a === undefined && r === undefined) return true;
    return a === actual && r === recorded;
  }

  bind(recorded: T, actual: T): void {
    this.#toActual.set(recorded, actual);
    this.#toRecorded.set(actual, recorded);
  }

  actualFor(recorded: T): T | undefined {
    return this.#toActual.get(recorded);
  }
}

/** The bindings of one replay: shared by the comparison and by a replayer rewriting echoed values. */
export class ReplayBindings {
  readonly session = new Binding<number>('sessionId');
  readonly nonce = new Binding<number>('nonce');
  readonly ksnCounter = new Binding<string>('KSN counter');
}

type Pending = Array<() => void>;

function bound<T>(binding: Binding<T>, recorded: T, actual: T, pending: Pending, literal?: T): string | undefined {
  if (literal !== undefined && (recorded === literal || actual === literal)) {
    return recorded === actual ? undefined : `${binding.name} ${String(actual)} ≠ recorded ${String(recorded)}`;
  }
  if (!binding.fits(recorded, actual)) {
    return `${binding.name} ${String(actual)} does not correspond to recorded ${String(recorded)}`;
  }
  pending.push(() => binding.bind(recorded, actual));
  return undefined;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Field-by-field differences between two messages of the same type, after normalisation. */
function messageDifferences(recorded: Message, actual: Message, bindings: ReplayBindings, pending: Pending): string[] {
  const problems: string[] = [];
  // The messages' own fields: only a field that differs is turned to JSON (once per compared frame, both sides).
  const r = recorded as unknown as Record<string, unknown>;
  const a = actual as unknown as Record<string, unknown>;
  // A few names at most: an array is cheaper than a Set per compared frame.
  const handled: string[] = ['type'];
  if ('sessionId' in r && 'sessionId' in a) {
    handled.push('sessionId');
    const p = bound(bindings.session, r['sessionId'] as number, a['sessionId'] as number, pending, 0);
    if (p) problems.push(p);
  }
  if (recorded.type === 'PING' || recorded.type === 'PONG') {
    handled.push('nonce');
    const p = bound(bindings.nonce, r['nonce'] as number, a['nonce'] as number, pending);
    if (p) problems.push(p);
  }
  if (recorded.type === 'RESULT' && actual.type === 'RESULT') {
    handled.push('encryptedBlock');
    handled.push('keySerialNumber');
    if (recorded.encryptedBlock.length !== actual.encryptedBlock.length) {
      problems.push(`encryptedBlock is ${actual.encryptedBlock.length} bytes, recorded ${recorded.encryptedBlock.length}`);
    }
    const rk = hex(recorded.keySerialNumber);
    const ak = hex(actual.keySerialNumber);
    if (rk.slice(0, 16) !== ak.slice(0, 16)) problems.push(`KSN key set ${ak.slice(0, 16)} ≠ recorded ${rk.slice(0, 16)}`);
    else {
      const p = bound(bindings.ksnCounter, rk.slice(16), ak.slice(16), pending);
      if (p) problems.push(p);
    }
  }
  if (recorded.type === 'STATUS' && actual.type === 'STATUS') {
    handled.push('secondsLeft');
    if (Math.abs(recorded.secondsLeft - actual.secondsLeft) > 1) {
      problems.push(`secondsLeft ${actual.secondsLeft} ≠ recorded ${recorded.secondsLeft} (±1 allowed)`);
    }
  }
  // Every field of either message, the recorded one's first (as a union of both key lists, without building it).
  for (const key of Object.keys(r)) fieldDifference(key, r, a, handled, problems);
  for (const key of Object.keys(a)) if (!Object.hasOwn(r, key)) fieldDifference(key, r, a, handled, problems);
  return problems;
}

function fieldDifference(key: string, r: Record<string, unknown>, a: Record<string, unknown>, handled: readonly string[], problems: string[]): void {
  if (r[key] === a[key] || handled.includes(key)) return; // the same value writes the same JSON
  const rv = JSON.stringify(fieldToJson(r[key]));
  const av = JSON.stringify(fieldToJson(a[key]));
  if (rv !== av) problems.push(`${key} ${av} ≠ recorded ${rv}`);
}

/** Why `actual` is not the recorded frame (empty: it is). Does not change bindings. */
function frameDifferences(recorded: CapturedFrame, actual: CapturedFrame, bindings: ReplayBindings, pending: Pending): string[] {
  if (recorded.dir !== actual.dir) return [`direction ${actual.dir} ≠ recorded ${recorded.dir}`];
  if (!recorded.result.ok || !actual.result.ok) {
    if (!recorded.result.ok && !actual.result.ok) {
      return recorded.result.error.code === actual.result.error.code ? [] : [`undecodable (${actual.result.error.code}) ≠ recorded undecodable (${recorded.result.error.code})`];
    }
    return actual.result.ok ? ['a good frame where the recording has undecodable bytes'] : [`undecodable bytes (${actual.result.error.code}) where the recording has a good frame`];
  }
  const rf = recorded.result.frame;
  const af = actual.result.frame;
  const problems: string[] = [];
  if (rf.message.type !== af.message.type) return [`type ${af.message.type} ≠ recorded ${rf.message.type}`];
  if (rf.seq !== af.seq) problems.push(`seq ${af.seq} ≠ recorded ${rf.seq}`);
  if (rf.retransmission !== af.retransmission) problems.push(`retransmission flag ${af.retransmission} ≠ recorded ${rf.retransmission}`);
  problems.push(...messageDifferences(rf.message, af.message, bindings, pending));
  return problems;
}

/** Compares one pair and, when they match, commits the bindings they establish. */
export function matchFrame(recorded: CapturedFrame, actual: CapturedFrame, bindings: ReplayBindings): string[] {
  const pending: Pending = [];
  const problems = frameDifferences(recorded, actual, bindings, pending);
  if (problems.length === 0) for (const commit of pending) commit();
  return problems;
}

export type FrameDiff =
  | { kind: 'changed'; index: number; recorded: CapturedFrame; actual: CapturedFrame; problems: string[] }
  | { kind: 'missing'; index: number; recorded: CapturedFrame }
  | { kind: 'unexpected'; actual: CapturedFrame };

/** How far ahead the aligner looks for a match before calling a pair "changed". */
const LOOKAHEAD = 8;

/**
 * Aligns recorded and actual frames of one direction in order and lists every difference. A frame the code
 * did not send is "missing", one it sent extra "unexpected", a pair that differs "changed". A frame that only
 * swapped places with another sent in the same millisecond is not a difference.
 */
export function compareFrameSequences(recorded: CapturedFrame[], actual: CapturedFrame[], bindings: ReplayBindings): FrameDiff[] {
  const diffs: FrameDiff[] = [];
  let i = 0;
  let j = 0;
  const quietMatch = (r: CapturedFrame, a: CapturedFrame): boolean => frameDifferences(r, a, bindings, []).length === 0;
  while (i < recorded.length || j < actual.length) {
    const r = recorded[i];
    const a = actual[j];
    if (r === undefined) {
      diffs.push({ kind: 'unexpected', actual: a! });
      j++;
      continue;
    }
    if (a === undefined) {
      diffs.push({ kind: 'missing', index: i, recorded: r });
      i++;
      continue;
    }
    const problems = matchFrame(r, a, bindings);
    if (problems.length === 0) {
      i++;
      j++;
      continue;
    }
    const extraActual = actual.slice(j + 1, j + 1 + LOOKAHEAD).findIndex((x) => quietMatch(r, x));
    const extraRecorded = recorded.slice(i + 1, i + 1 + LOOKAHEAD).findIndex((x) => quietMatch(x, a));
    if (extraActual >= 0 && (extraRecorded < 0 || extraActual <= extraRecorded)) {
      for (let k = 0; k <= extraActual; k++) diffs.push({ kind: 'unexpected', actual: actual[j + k]! });
      j += extraActual + 1;
      continue;
    }
    if (extraRecorded >= 0) {
      for (let k = 0; k <= extraRecorded; k++) diffs.push({ kind: 'missing', index: i + k, recorded: recorded[i + k]! });
      i += extraRecorded + 1;
      continue;
    }
    diffs.push({ kind: 'changed', index: i, recorded: r, actual: a, problems });
    i++;
    j++;
  }
  return forgiveSimultaneousSwaps(diffs, bindings);
}

/** Frames recorded this close together (ms) count as simultaneous: either order is the same session. */
const SIMULTANEOUS_MS = 1;

/**
 * A frame that is "missing" at one place and "unexpected" at another, at the same moment, only swapped places
 * with a frame sent in the same millisecond: which of two simultaneous events the event loop served first is not
 * part of the protocol (and in virtual time many things share a millisecond). Such pairs are not differences.
 */
function forgiveSimultaneousSwaps(diffs: FrameDiff[], bindings: ReplayBindings): FrameDiff[] {
  const dropped = new Set<FrameDiff>();
  for (const missing of diffs) {
    if (missing.kind !== 'missing' || dropped.has(missing)) continue;
    const partner = diffs.find((d) => d.kind === 'unexpected' && !dropped.has(d)
      && Math.abs(d.actual.t - missing.recorded.t) <= SIMULTANEOUS_MS
      && matchFrame(missing.recorded, d.actual, bindings).length === 0);
    if (partner) {
      dropped.add(missing);
      dropped.add(partner);
    }
  }
  return diffs.filter((d) => !dropped.has(d));
}

/** Human lines for a diff, e.g. `✗ d2h frame #12 (recorded at 1234.500 ms) changed: digits 3 ≠ recorded 4`. */
export function formatFrameDiff(diff: FrameDiff): string[] {
  switch (diff.kind) {
    case 'changed':
      return [
        `✗ ${diff.recorded.dir} frame #${diff.index + 1} changed: ${diff.problems.join('; ')}`,
        `    recorded ${formatFrameLine(diff.recorded).trimStart()}`,
        `    actual   ${formatFrameLine(diff.actual).trimStart()}`,
      ];
    case 'missing':
      return [`✗ ${diff.recorded.dir} frame #${diff.index + 1} missing: ${formatFrameLine(diff.recorded).trimStart()}`];
    case 'unexpected':
      return [`✗ unexpected ${diff.actual.dir} frame: ${formatFrameLine(diff.actual).trimStart()}`];
  }
}
