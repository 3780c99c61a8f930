/**
 * The fault soak (issue #7): N complete card entries, driver and VirtualKeypad joined by an in-memory cable whose
 * bytes are dropped, corrupted, duplicated and delayed by FaultStreams (both directions, seeded, a new stretch of
 * bad line for every reconnect), everything on one virtual clock. Every entry must end exactly once: its own RESULT
 * (sent by the keypad for the session the driver opened for it) that decrypts (TEST BDK) to the card that was typed,
 * or one of the four store errors (judged in soak-judge.ts). Shared by test/soak/fault-soak.test.ts (1,000 entries)
 * and bench/cases/fault-soak.ts (10,000).
 */
import { performance } from 'node:perf_hooks';
import { seededRandomBytes } from '../../device-sim/crypto/seeded-random-bytes.js';
import { loadTestKeys } from '../../device-sim/crypto/test-keys.js';
import { formatFaultSpec, NO_FAULTS, type FaultSpec } from '../../device-sim/faults/fault-spec.js';
import { mulberry32 } from '../../device-sim/faults/prng.js';
import { runKeyScript, type KeyScriptRun } from '../../device-sim/key-script.js';
import type { FaultStream } from '../../device-sim/faults/fault-stream.js';
import { VirtualKeypad } from '../../device-sim/virtual-keypad.js';
import { HOST_GUARD_SLACK_S } from '../../host-driver/card-entry.js';
import {
  isTenkeyCancelled, isTenkeyError, TENKEY_ERROR_CODES, type TenkeyErrorCode,
} from '../../host-driver/errors.js';
import { silentLogger } from '../../host-driver/logger.js';
import { openTenkeyOverTransport } from '../../host-driver/open-over-transport.js';
import type { CardReadResult } from '../../host-driver/results.js';
import type { TenkeyKeypad } from '../../host-driver/tenkey-keypad.js';
import { describeMessage, ENTRY_SESSION_CAP_S, type Frame } from '../../protocol/index.js';
import { memoryCable } from '../../testing/memory-cable.js';
import { emptyKeypadTrail, judgeError, judgeResult } from './soak-judge.js';
import { SOAK_DEVICE_DATE, SoakPlanner, type PlannedEntry } from './soak-plan.js';
import { VirtualTime } from '../../testing/virtual-time.js';

/**
 * Per-byte fault rates of the soak rows: the probability that a byte is harmed, split evenly between drop,
 * corrupt and duplicate (a mix), in both directions. (Each kind at the full rate leaves almost no 60-byte frame
 * whole at 3 %: the rows would measure only the handshake failing.)
 */
export const SOAK_RATES: readonly number[] = [0.01, 0.02, 0.03, 0.05];
/** Added to every chunk in both directions (timed by the virtual clock). */
export const SOAK_DELAY_MS = 20;
/** Default seed; TENKEY_SOAK_SEED overrides it (see soakSeed()). */
export const DEFAULT_SOAK_SEED = 20261127;

/** An entry with no outcome this long after readCard is lost: the host's own guard ends every entry well before. */
const ENTRY_BOUND_MS = (ENTRY_SESSION_CAP_S + HOST_GUARD_SLACK_S + 60) * 1000;
/** Opening the driver over a noisy line may need a few handshakes (a lost INFO is a failed handshake). */
const OPEN_ATTEMPTS = 50;
const OPEN_BOUND_MS = 30_000;
/** The clerk waits this long for a reconnecting keypad before starting the next order anyway. */
const RECONNECT_WAIT_MS = 60_000;
/** Idle time between two orders (keepalive PINGs run in it). */
const IDLE_GAP_MS = { min: 0, max: 1500 } as const;

/**
 * The least share of a row's entries that must end in a good RESULT ("the driver keeps working"), by fault rate
 * (first step whose `upTo` covers the rate). Six seeds of 1,000 entries and the 10,000-entry bench gave 93–96 % at
 * 1 %, 89–94 % at 2 %, 57–70 % at 3 %, 4–11 % at 5 %, and a clean line about 95 % (the 5 % expired cards are
 * refused); with the keypad merging DIGIT reports behind retransmissions (PROTOCOL.md §5.11) the bench gave
 * 95.0 / 89.2 / 68.4 / 12.9 %: each floor leaves room for another seed, none for a regression that loses a tenth of what a good line carries.
 */
export const RESULT_FLOORS: readonly { upTo: number; share: number }[] = [
  { upTo: 0, share: 0.9 },
  { upTo: 0.01, share: 0.85 },
  { upTo: 0.02, share: 0.75 },
  { upTo: 0.03, share: 0.45 },
  // Above 3 % most RESULTs are lost on the way: the floor is only "entries still get through".
  { upTo: Number.POSITIVE_INFINITY, share: 0.01 },
];

export type ErrorCounts = Record<TenkeyErrorCode, number>;

export interface SoakRow {
  /** The fault spec of this row (FaultSpec string syntax), seed included. */
  faults: string;
  rate: number;
  entries: number;
  /** RESULTs that decrypted to exactly the typed card (brand and last digits matching). */
  results: number;
  /** Typed store errors by code. */
  errors: ErrorCounts;
  /** Precise causes behind the errors, for support-minded readers. */
  causes: Record<string, number>;
  cancelled: number;
  /** No outcome within the bound (a hang). */
  lost: number;
  /**
   * Something delivered twice: a RESULT whose KSN or session id an earlier entry already got, or a progress event
   * for an entry whose readCard had already settled (or when none ran): the driver still acting on an ended entry.
   */
  duplicated: number;
  /**
   * A RESULT that is not this entry's own: not sent by the keypad for the session the driver opened for this
   * readCard and typed with this entry's keys, or not decrypting to exactly the card and expiry typed.
   */
  wrongCard: number;
  /**
   * An outcome the entry cannot honestly end with: CARD_SERVICE for a valid, unexpired card; a cancellation
   * (nobody cancels in the soak); ENTRY_TIMEOUT after every key was typed; an error that is not one of the four;
   * one readCard reporting more than one session.
   */
  wrongOutcome: number;
  /** Entries the keypad encrypted whose RESULT never reached the store (ended TEMPORARY instead): a cost, not a failure. */
  encryptedNotDelivered: number;
  reconnects: number;
  /** Handshakes that failed before the driver opened. */
  openRetries: number;
  /**
   * The driver's status after the row's last entry, once given RECONNECT_WAIT_MS to reconnect: 'connected' when it
   * still works. The total row holds 'connected' when every row did, else the rows' statuses joined by '/'.
   */
  endStatus: string;
  /** Bytes that crossed the cable and what the faults did to them. */
  bytes: { sent: number; dropped: number; corrupted: number; duplicated: number };
  virtualSeconds: number;
}

export interface SoakReport {
  seed: number;
  rows: SoakRow[];
  total: SoakRow;
  /** unhandledRejection / uncaughtException seen during the run (messages only). */
  unhandled: string[];
  wallSeconds: number;
}

export interface SoakOptions {
  /** Entries in all, split evenly over the rates. */
  entries: number;
  seed: number;
  rates?: readonly number[];
  delayMs?: number;
  /** A line after each row (progress for long runs). */
  log?: (line: string) => void;
  /** Every frame the keypad saw or sent and every entry's outcome, with virtual time (for replaying a failure). */
  trace?: (line: string) => void;
}

/** The seed: TENKEY_SOAK_SEED when set (a reported failure replays from it), else DEFAULT_SOAK_SEED. */
export function soakSeed(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.TENKEY_SOAK_SEED;
  if (text === undefined || text === '') return DEFAULT_SOAK_SEED;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new TypeError(`TENKEY_SOAK_SEED must be an integer 0–4294967295, got "${text}"`);
  return seed;
}

/** Nothing lost, duplicated or wrong, no unhandled rejection, and every row's driver still connected at its end. */
export function soakPassed(report: SoakReport): boolean {
  const { total } = report;
  return total.lost === 0 && total.duplicated === 0 && total.wrongCard === 0 && total.wrongOutcome === 0
    && report.unhandled.length === 0 && outcomesOf(total) === total.entries && total.endStatus === 'connected';
}

/** The least number of good RESULTs a row must have: its RESULT_FLOORS share, and at least one at every rate. */
export function minResults(row: Pick<SoakRow, 'rate' | 'entries'>): number {
  if (row.entries === 0) return 0;
  const { share } = RESULT_FLOORS.find((step) => row.rate <= step.upTo)!;
  return Math.max(1, Math.ceil(share * row.entries));
}

/** Rows with fewer good RESULTs than minResults, described (empty when the driver kept working at every rate). */
export function rowsBelowFloor(report: SoakReport): string[] {
  return report.rows
    .filter((row) => row.results < minResults(row))
    .map((row) => `${+(row.rate * 100).toFixed(2)} %: ${row.results}/${row.entries} RESULTs, at least ${minResults(row)} expected`);
}

/** Entries that ended with an outcome (result, typed error or cancel). */
export function outcomesOf(row: SoakRow): number {
  return row.results + row.cancelled + TENKEY_ERROR_CODES.reduce((n, code) => n + row.errors[code], 0);
}

/** A third of a rate, to six decimals: the row's spec string then parses back to exactly the rates used. */
function third(rate: number): number {
  return Math.round((rate / 3) * 1e6) / 1e6;
}

function emptyRow(faults: string, rate: number): SoakRow {
  return {
    faults, rate, entries: 0, results: 0, errors: { CARD_SERVICE: 0, CONNECTION: 0, ENTRY_TIMEOUT: 0, TEMPORARY: 0 }, causes: {},
    cancelled: 0, lost: 0, duplicated: 0, wrongCard: 0, wrongOutcome: 0, encryptedNotDelivered: 0, reconnects: 0, openRetries: 0,
    endStatus: 'connected', bytes: { sent: 0, dropped: 0, corrupted: 0, duplicated: 0 }, virtualSeconds: 0,
  };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const rates = options.rates ?? SOAK_RATES;
  const delayMs = options.delayMs ?? SOAK_DELAY_MS;
  const unhandled: string[] = [];
  const onUnhandled = (e: unknown): void => {
    unhandled.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  };
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  const started = performance.now();
  const rows: SoakRow[] = [];
  try {
    const { bdk } = loadTestKeys();
    const seen = { ksns: new Set<string>(), sessions: new Set<number>() };
    let keyCounter = 1;
    for (const [i, rate] of rates.entries()) {
      const entries = Math.floor(options.entries / rates.length) + (i < options.entries % rates.length ? 1 : 0);
      const faults: FaultSpec = {
        ...NO_FAULTS, drop: third(rate), corrupt: third(rate), duplicate: third(rate), delayMs, seed: (options.seed + i * 0x9e3779b9) >>> 0,
      };
      const row = await soakRow({
        faults, rate, entries, seed: faults.seed, reportSeed: options.seed, keyCounter, bdk, seen, trace: options.trace,
      });
      keyCounter += row.entries + 16; // a fresh keypad per row: no KSN is used twice across rows
      rows.push(row);
      options.log?.(`soak: ${row.faults}: ${outcomesOf(row)}/${row.entries} ended, ${row.results} results, `
        + `lost ${row.lost}, duplicated ${row.duplicated}, wrong ${row.wrongCard + row.wrongOutcome}`);
    }
    bdk.fill(0);
  } finally {
    // Unhandled rejections are reported on a later turn: give them one before looking.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  }
  return { seed: options.seed, rows, total: totalOf(rows), unhandled, wallSeconds: (performance.now() - started) / 1000 };
}

interface RowSetup {
  faults: FaultSpec;
  rate: number;
  entries: number;
  seed: number;
  /** The run's seed (what TENKEY_SOAK_SEED replays), for messages. */
  reportSeed: number;
  keyCounter: number;
  bdk: Buffer;
  /** Across rows: every KSN and session id a result carried. */
  seen: { ksns: Set<string>; sessions: Set<number> };
  trace: ((line: string) => void) | undefined;
}

async function soakRow(setup: RowSetup): Promise<SoakRow> {
  const row = emptyRow(formatFaultSpec(setup.faults), setup.rate);
  const time = new VirtualTime();
  const { clock } = time;
  const planner = new SoakPlanner(setup.seed);
  const keepaliveRandom = mulberry32((setup.seed ^ 0x2545f491) >>> 0);
  const keypadDevice = new VirtualKeypad({
    clock, now: () => SOAK_DEVICE_DATE, keyCounter: setup.keyCounter, cardBlockRandom: seededRandomBytes(setup.seed),
  });
  const faultStreams: FaultStream[] = [];
  const { trace } = setup;
  if (trace) {
    keypadDevice.on('frame-in', (f) => trace(`${time.now()} keypad <- ${describeFrame(f)}`));
    keypadDevice.on('frame-out', (f) => trace(`${time.now()} keypad -> ${describeFrame(f)}`));
  }
  let encrypted = 0;
  keypadDevice.on('session-end', (end) => {
    if (end.outcome === 'done') encrypted++;
  });
  // What the keypad did, to tie each RESULT to its own entry (a card that decrypts right is not enough).
  const trail = emptyKeypadTrail();
  keypadDevice.on('frame-out', ({ message }) => {
    if (message.type !== 'RESULT') return;
    const ksn = Buffer.from(message.keySerialNumber).toString('hex');
    // The first session wins: a KSN sent again for another session then fails the check of the later entry.
    if (!trail.resultSessionOf.has(ksn)) trail.resultSessionOf.set(ksn, message.sessionId);
  });

  // The person at the keypad: types the order in front of them whenever the keypad opens a PAN field.
  let current: PlannedEntry | undefined;
  let typing: KeyScriptRun | undefined;
  let typedFor: number | undefined;
  keypadDevice.on('state', (state, display) => {
    if (state !== 'PAN' || display.sessionId === typedFor || current === undefined) return;
    const sessionId = display.sessionId;
    typedFor = sessionId;
    typing?.stop();
    const steps = planner.keys(current);
    const keyCount = steps.filter((step) => step.kind === 'key').length;
    let pressed = 0;
    trail.typedEntryOf.set(sessionId, current.index);
    typing = runKeyScript(steps, (key) => {
      if (keypadDevice.activeSessionId !== sessionId) return;
      if (keypadDevice.press(key) && ++pressed === keyCount) trail.fullyTyped.add(sessionId);
    }, clock);
  });

  // Every (re)connect is a new cable with its own stretch of bad line.
  const openTransport = async () => {
    const cable = memoryCable({ clock, faults: { ...setup.faults, seed: (setup.seed + 0x6d2b79f5 * faultStreams.length) >>> 0 } });
    if (cable.faults) faultStreams.push(cable.faults.toDevice, cable.faults.toHost);
    keypadDevice.attach(cable.device);
    return cable.host;
  };
  let keypad: TenkeyKeypad | undefined;
  for (let attempt = 0; attempt < OPEN_ATTEMPTS && keypad === undefined; attempt++) {
    const opening = openTenkeyOverTransport({
      address: 'memory://soak', openTransport, acceptedBrands: [], clock, logger: silentLogger, reconnect: {},
      connectTimeoutMs: 3000, link: {}, firstSessionId: planner.int(1, 0x7fff_ffff),
      // The keepalive jitter draws from the row's seed too, so a run replays exactly.
      random: keepaliveRandom,
    });
    opening.catch(() => undefined);
    await time.runUntilSettled(opening, OPEN_BOUND_MS);
    keypad = await opening.catch(() => undefined);
    if (keypad === undefined) row.openRetries++;
  }
  if (keypad === undefined) {
    throw new Error(`soak: the driver never opened over ${row.faults} (${OPEN_ATTEMPTS} attempts; replay with TENKEY_SOAK_SEED=${setup.reportSeed})`);
  }
  keypad.on('connection', (event) => {
    if (event.status === 'reconnecting') row.reconnects++;
  });
  // The driver's sessions: the running readCard's, and those of readCards already settled. A CardEntry reports
  // its final progress before its readCard settles and ignores everything after, so a progress event for an
  // ended session (or while no readCard runs) is the driver delivering something twice.
  let readSessions: Set<number> | undefined;
  const endedSessions = new Set<number>();
  keypad.on('progress', ({ sessionId }) => {
    if (readSessions === undefined || endedSessions.has(sessionId)) row.duplicated++;
    else readSessions.add(sessionId);
  });

  for (let index = 0; index < setup.entries; index++) {
    await time.runUntil(() => keypad.status === 'connected', RECONNECT_WAIT_MS);
    const entry = planner.entry(index);
    current = entry;
    row.entries++;
    const sessions = new Set<number>();
    readSessions = sessions;
    let outcome: { ok: true; result: CardReadResult } | { ok: false; error: unknown } | undefined;
    const read = keypad.readCard({ timeoutSeconds: 60, reveal: 3, expiryRequired: true });
    read.then(
      (result) => { outcome = { ok: true, result }; },
      (error: unknown) => { outcome = { ok: false, error }; },
    );
    // (A promise settles once by construction: duplicates are caught by KSN, session and late progress instead.)
    const settled = await time.runUntilSettled(read, ENTRY_BOUND_MS);
    if (!settled) {
      row.lost++;
      void keypad.cancel();
      await time.runUntilSettled(read, 10_000);
    }
    readSessions = undefined;
    for (const sessionId of sessions) endedSessions.add(sessionId);
    if (settled && outcome !== undefined) {
      if (sessions.size > 1) row.wrongOutcome++; // one readCard is one session
      const driverSession = sessions.size === 1 ? [...sessions][0] : undefined;
      if (outcome.ok) judgeResult(row, entry, outcome.result, { ...trail, driverSession }, setup);
      else judgeError(row, entry, outcome.error, { ...trail, driverSession });
    } else if (settled) {
      row.lost++; // settled, yet its handlers never ran: not expected, but never silently uncounted
    }
    trace?.(`${time.now()} entry ${index} (${entry.card}${entry.expired ? ', expired' : ''}) ended: `
      + `${outcome === undefined ? 'no outcome' : outcome.ok ? 'RESULT' : describeError(outcome.error)}`);
    current = undefined;
    await time.advance(planner.int(IDLE_GAP_MS.min, IDLE_GAP_MS.max));
  }

  typing?.stop();
  // Keeps working: after its worst stretch of line, the driver is (back) in service, not closed or given up.
  await time.runUntil(() => keypad.status === 'connected', RECONNECT_WAIT_MS);
  row.endStatus = keypad.status;
  const closing = keypad.close();
  await time.runUntilSettled(closing, 10_000);
  keypadDevice.close();
  for (const { stats } of faultStreams) {
    row.bytes.sent += stats.bytesIn;
    row.bytes.dropped += stats.dropped;
    row.bytes.corrupted += stats.corrupted;
    row.bytes.duplicated += stats.duplicated;
  }
  row.encryptedNotDelivered = Math.max(0, encrypted - row.results - row.wrongCard);
  row.virtualSeconds = time.now() / 1000;
  return row;
}

function describeFrame(frame: Frame): string {
  return `seq ${frame.seq}${frame.retransmission ? ' (again)' : ''} ${describeMessage(frame.message)}`;
}

function describeError(error: unknown): string {
  if (isTenkeyError(error)) return `${error.code} (${error.reason})`;
  return isTenkeyCancelled(error) ? 'cancelled' : String(error);
}

function totalOf(rows: readonly SoakRow[]): SoakRow {
  const total = emptyRow('all rows', Number.NaN);
  for (const row of rows) {
    for (const key of ['entries', 'results', 'cancelled', 'lost', 'duplicated', 'wrongCard', 'wrongOutcome', 'encryptedNotDelivered',
      'reconnects', 'openRetries', 'virtualSeconds'] as const) total[key] += row[key];
    for (const code of TENKEY_ERROR_CODES) total.errors[code] += row.errors[code];
    for (const [cause, n] of Object.entries(row.causes)) total.causes[cause] = (total.causes[cause] ?? 0) + n;
    for (const key of ['sent', 'dropped', 'corrupted', 'duplicated'] as const) total.bytes[key] += row.bytes[key];
  }
  const statuses = [...new Set(rows.map((row) => row.endStatus))];
  total.endStatus = statuses.length === 0 ? 'connected' : statuses.join('/');
  return total;
}
