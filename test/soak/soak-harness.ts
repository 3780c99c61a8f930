/**
 * The fault soak (issue #7): N complete card entries, driver and VirtualKeypad joined by an in-memory cable whose
 * bytes are dropped, corrupted, duplicated and delayed by FaultStreams (both directions, seeded, a new stretch of
 * bad line for every reconnect), everything on one virtual clock. Every entry must end exactly once: a RESULT that decrypts (TEST BDK) to the
 * card that was typed, or one of the four store errors. Shared by test/soak/fault-soak.test.ts (1,000 entries)
 * and bench/cases/fault-soak.ts (10,000).
 */
import { performance } from 'node:perf_hooks';
import { decryptCardBlock } from '../../device-sim/crypto/card-block-decrypt.js';
import { seededRandomBytes } from '../../device-sim/crypto/seeded-random-bytes.js';
import { loadTestKeys } from '../../device-sim/crypto/test-keys.js';
import { formatFaultSpec, NO_FAULTS, type FaultSpec } from '../../device-sim/faults/fault-spec.js';
import { runKeyScript, type KeyScriptRun } from '../../device-sim/key-script.js';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
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
import { memoryCable } from './memory-link.js';
import { brandOf, SOAK_DEVICE_DATE, SoakPlanner, type PlannedEntry } from './soak-plan.js';
import { VirtualTime } from './virtual-time.js';

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
  /** A result handed out twice (same KSN or session id as an earlier one). */
  duplicated: number;
  /** A RESULT that did not decrypt to the card typed in this entry. */
  wrongCard: number;
  /** A typed error the entry cannot honestly end with (CARD_SERVICE for a valid, unexpired card). */
  wrongOutcome: number;
  /** Entries the keypad encrypted whose RESULT never reached the store (ended TEMPORARY instead): a cost, not a failure. */
  encryptedNotDelivered: number;
  reconnects: number;
  /** Handshakes that failed before the driver opened. */
  openRetries: number;
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

/** Nothing lost, duplicated or wrong, and no unhandled rejection. */
export function soakPassed(report: SoakReport): boolean {
  const { total } = report;
  return total.lost === 0 && total.duplicated === 0 && total.wrongCard === 0 && total.wrongOutcome === 0
    && report.unhandled.length === 0 && outcomesOf(total) === total.entries;
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
    bytes: { sent: 0, dropped: 0, corrupted: 0, duplicated: 0 }, virtualSeconds: 0,
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
      const row = await soakRow({ faults, rate, entries, seed: faults.seed, keyCounter, bdk, seen, trace: options.trace });
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

  // The person at the keypad: types the order in front of them whenever the keypad opens a PAN field.
  let current: PlannedEntry | undefined;
  let typing: KeyScriptRun | undefined;
  let typedFor: number | undefined;
  keypadDevice.on('state', (state, display) => {
    if (state !== 'PAN' || display.sessionId === typedFor || current === undefined) return;
    const sessionId = display.sessionId;
    typedFor = sessionId;
    typing?.stop();
    typing = runKeyScript(planner.keys(current), (key) => {
      if (keypadDevice.activeSessionId === sessionId) keypadDevice.press(key);
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
    });
    opening.catch(() => undefined);
    await time.runUntilSettled(opening, OPEN_BOUND_MS);
    keypad = await opening.catch(() => undefined);
    if (keypad === undefined) row.openRetries++;
  }
  if (keypad === undefined) throw new Error(`soak: the driver never opened over ${row.faults} (${OPEN_ATTEMPTS} attempts)`);
  keypad.on('connection', (event) => {
    if (event.status === 'reconnecting') row.reconnects++;
  });

  for (let index = 0; index < setup.entries; index++) {
    await time.runUntil(() => keypad.status === 'connected', RECONNECT_WAIT_MS);
    const entry = planner.entry(index);
    current = entry;
    row.entries++;
    let settlements = 0;
    let outcome: { ok: true; result: CardReadResult } | { ok: false; error: unknown } | undefined;
    const read = keypad.readCard({ timeoutSeconds: 60, reveal: 3, expiryRequired: true });
    read.then(
      (result) => { settlements++; outcome = { ok: true, result }; },
      (error: unknown) => { settlements++; outcome = { ok: false, error }; },
    );
    if (!(await time.runUntilSettled(read, ENTRY_BOUND_MS))) {
      row.lost++;
      void keypad.cancel();
      await time.runUntilSettled(read, 10_000);
    } else if (settlements !== 1 || outcome === undefined) {
      row.duplicated++;
    } else if (outcome.ok) {
      judgeResult(row, entry, outcome.result, setup);
    } else {
      judgeError(row, entry, outcome.error);
    }
    trace?.(`${time.now()} entry ${index} (${entry.card}${entry.expired ? ', expired' : ''}) ended: `
      + `${outcome === undefined ? 'no outcome' : outcome.ok ? 'RESULT' : describeError(outcome.error)}`);
    current = undefined;
    await time.advance(planner.int(IDLE_GAP_MS.min, IDLE_GAP_MS.max));
  }

  typing?.stop();
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

/** A RESULT must decrypt to exactly the card and expiry typed, with the brand and last digits of that card. */
function judgeResult(row: SoakRow, entry: PlannedEntry, result: CardReadResult, setup: RowSetup): void {
  if (setup.seen.ksns.has(result.keySerialNumber) || setup.seen.sessions.has(result.sessionId)) {
    row.duplicated++;
    return;
  }
  setup.seen.ksns.add(result.keySerialNumber);
  setup.seen.sessions.add(result.sessionId);
  const pan = TEST_CARDS[entry.card];
  let matches = false;
  try {
    const card = decryptCardBlock(setup.bdk, Buffer.from(result.keySerialNumber, 'hex'), Buffer.from(result.encryptedBlock, 'hex'));
    matches = card.pan === pan && card.expiry === entry.expiry;
  } catch {
    matches = false; // a block that does not decrypt is as wrong as another card
  }
  if (matches && !entry.expired && result.brand === brandOf(entry.card) && result.last === pan.slice(-3)) row.results++;
  else row.wrongCard++;
}

function judgeError(row: SoakRow, entry: PlannedEntry, error: unknown): void {
  if (isTenkeyCancelled(error)) {
    row.cancelled++;
    return;
  }
  if (!isTenkeyError(error)) {
    row.wrongOutcome++; // not one of the four: exactly what the store must never see
    return;
  }
  row.errors[error.code]++;
  row.causes[error.cause] = (row.causes[error.cause] ?? 0) + 1;
  // The keypad refuses a card only for what was typed; a valid card typed in full cannot earn CARD_SERVICE.
  if (error.code === 'CARD_SERVICE' && !entry.expired) row.wrongOutcome++;
}

function describeFrame(frame: Frame): string {
  return `seq ${frame.seq}${frame.retransmission ? ' (again)' : ''} ${describeMessage(frame.message)}`;
}

function describeError(error: unknown): string {
  if (isTenkeyError(error)) return `${error.code} (${error.cause})`;
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
  return total;
}
