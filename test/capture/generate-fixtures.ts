/**
 * Regenerates fixtures/captures/*.jsonl: `npx tsx test/capture/generate-fixtures.ts [name…]`.
 *
 * Each fixture is a real session: the real simulator listening on TCP (a LAN keypad), `startTap` (the
 * recorder behind `tenkey tap`) connected to it and exposing a real PTY, and the real host driver opening
 * that PTY with serialport, as a store PC opens a USB keypad.
 * Everything runs on one virtual clock (VirtualTimebase), so a 60 s timeout or the 300 s session cap is
 * recorded in milliseconds, times in the capture are exact, and replays reproduce them to the millisecond.
 * Keys are pressed on the simulator's keypad from the scenario's key script (test-card references only:
 * no card number ever reaches a fixture, and the fixture scan test checks that).
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type RunningSimulator } from '../../device-sim/index.js';
import { openTenkey } from '../../host-driver/open-tenkey.js';
import { streamLogger } from '../../host-driver/logger.js';
import type { TenkeyKeypad } from '../../host-driver/tenkey-keypad.js';
import { isTenkeyCancelled, isTenkeyError } from '../../host-driver/errors.js';
import { startTap, type RunningTap } from '../../cli/capture/tap.js';
import { VirtualTimebase } from '../../replay/replay-timebase.js';
import { expandKeyScript } from '../../device-sim/test-cards.js';
import type { CaptureOutcome, CaptureScenario } from '../../protocol/capture/capture-format.js';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURE_DIR = join(here, '../../fixtures/captures');

/** The device calendar of every fixture: expiries are relative to it. */
const DEVICE_DATE = '2026-11-26';
/** Seed of the simulator's card-block IV and fill in every fixture (scenario.cardBlockSeed). */
const CARD_BLOCK_SEED = 1;

interface FixturePlan {
  name: string;
  note: string;
  /** Key script (test-card references). */
  keys?: string[];
  /** Gap between key presses (virtual ms). */
  keyGapMs?: number;
  readCard?: { timeoutSeconds?: number; reveal?: number; expiryRequired?: boolean };
  hostService?: string;
  deviceService?: string;
  faults?: string;
  keyCounter?: number;
  /** false: a keypad that reports every key, however far behind the line is (PROTOCOL.md §5.11). */
  mergeKeyReports?: false;
  /** Host cancels (popup キャンセル) this long after the last key. */
  hostCancelAfterMs?: number;
  /** The keypad is unplugged this long after the last key. */
  unplugAfterMs?: number;
  /** How long to keep recording after the last key/action before closing the driver (virtual ms). */
  tailMs?: number;
}

const HAPPY_BRANDS = ['visa', 'mastercard', 'american-express', 'jcb', 'diners-club', 'discover', 'unionpay'] as const;

export const FIXTURE_PLANS: FixturePlan[] = [
  ...HAPPY_BRANDS.map((brand): FixturePlan => ({
    name: `happy-${brand}`,
    note: `Happy path: a ${brand} test card and a valid expiry, RESULT with brand and last 3 digits.`,
    keys: [`pan:${brand}`, 'enter', 'exp:valid', 'enter'],
  })),
  {
    name: 'backspace-and-clear',
    note: 'Typing corrections: three digits, backspace, clear, then the whole number; backspace in the expiry too.',
    keys: ['4', '1', '2', 'backspace', 'clear', 'pan:visa', 'enter', '1', 'backspace', 'exp:valid', 'enter'],
  },
  {
    name: 'cancel-on-keypad',
    note: 'The person presses the keypad cancel key mid-entry: ERROR CANCELLED, readCard rejects as cancelled.',
    keys: ['4', '1', '1', 'cancel'],
  },
  {
    name: 'cancel-from-host',
    note: 'The store popup キャンセル: the host sends CANCEL mid-entry.',
    keys: ['5', '5', '5'],
    hostCancelAfterMs: 400,
  },
  {
    name: 'timeout',
    note: 'Inactivity timeout (default 60 s) after two digits: ERROR TIMEOUT → ENTRY_TIMEOUT.',
    keys: ['3', '5'],
    tailMs: 61_000,
  },
  {
    name: 'session-limit',
    note: 'The 300 s session cap: a key every 50 s keeps the entry alive until the cap ends it (ERROR SESSION_LIMIT).',
    keys: ['1', '2', '3', '4', '5', '6'],
    keyGapMs: 50_000,
    readCard: { timeoutSeconds: 60 },
    tailMs: 10_000,
  },
  {
    name: 'invalid-then-valid',
    note: 'A number failing Luhn (notice INVALID_PAN), then the right number: RESULT.',
    keys: ['pan:luhn-fail', 'enter', 'clear', 'pan:visa', 'enter', 'exp:valid', 'enter'],
  },
  {
    name: 'invalid-card',
    note: 'Three numbers failing Luhn: ERROR INVALID_CARD → CARD_SERVICE.',
    keys: ['pan:luhn-fail', 'enter', 'clear', 'pan:luhn-fail', 'enter', 'clear', 'pan:luhn-fail', 'enter'],
  },
  {
    name: 'expired-card',
    note: 'An expiry before the device date: ERROR EXPIRED_CARD → CARD_SERVICE.',
    keys: ['pan:visa', 'enter', 'exp:expired', 'enter'],
  },
  {
    name: 'unsupported-brand',
    note: 'The store service (temona-payment-g) does not take discover: ERROR UNSUPPORTED_BRAND → CARD_SERVICE.',
    keys: ['pan:discover', 'enter'],
    hostService: 'temona-payment-g',
  },
  {
    name: 'busy',
    note: 'The keypad is busy (fault "busy"): ERROR BUSY → TEMPORARY.',
    faults: 'busy',
    tailMs: 500,
  },
  {
    name: 'key-exhausted',
    note: 'The DUKPT key counter is at its end (fault "exhaust-key"): START_ENTRY refused at once with ERROR KEY_EXHAUSTED → TEMPORARY.',
    faults: 'exhaust-key',
    tailMs: 500,
  },
  {
    name: 'unplug-mid-entry',
    note: 'The keypad is unplugged after five digits: the host port vanishes → CONNECTION.',
    keys: ['4', '1', '1', '1', '1'],
    unplugAfterMs: 300,
  },
  {
    name: 'noisy-link',
    note: 'A noisy line (dropped, corrupted and duplicated bytes, seeded): retransmissions, duplicates, DIGIT reports merged behind them (PROTOCOL.md §5.11), then RESULT.',
    keys: ['pan:mastercard', 'enter', 'exp:valid', 'enter'],
    faults: 'drop=0.004,corrupt=0.004,duplicate=0.004,seed=13',
  },
  {
    name: 'noisy-link-every-key',
    note: 'A noisy line on a keypad that reports every key (no merging, PROTOCOL.md §5.11): KEYs queue behind retransmissions, then RESULT.',
    keys: ['pan:mastercard', 'enter', 'exp:valid', 'enter'],
    faults: 'drop=0.004,corrupt=0.004,duplicate=0.004,seed=7',
    mergeKeyReports: false,
  },
];

function outcomeOf(settled: PromiseSettledResult<{ brand: string; last: string }>): CaptureOutcome {
  if (settled.status === 'fulfilled') return { kind: 'card', brand: settled.value.brand, last: settled.value.last };
  if (isTenkeyCancelled(settled.reason)) return { kind: 'cancelled' };
  return { kind: 'error', code: isTenkeyError(settled.reason) ? settled.reason.code : String(settled.reason) };
}

/** Records one plan into `path`. Resolves with the outcome the application saw. */
export async function recordFixture(plan: FixturePlan, path: string): Promise<{ outcome?: CaptureOutcome; keyTimes?: number[] }> {
  // Serialport writes go through the thread pool: give in-flight bytes 15 real ms of quiet before virtual
  // time moves, so a recorded ACK is never "late" only because a thread was slow.
  const timebase = new VirtualTimebase(15);
  const clock = timebase.clock;
  const scenario: CaptureScenario = { name: plan.name, deviceDate: DEVICE_DATE };
  if (plan.keys) scenario.keys = plan.keys;
  if (plan.hostService) scenario.service = plan.hostService;
  if (plan.deviceService) scenario.deviceService = plan.deviceService;
  if (plan.faults) scenario.faults = plan.faults;
  if (plan.keyCounter !== undefined) scenario.keyCounter = plan.keyCounter;
  // Every fixture's RESULT bytes repeat on replay, so faults that hit them do the same damage (CAPTURE-FORMAT.md §4).
  scenario.cardBlockSeed = CARD_BLOCK_SEED;
  const keys = expandKeyScript(plan.keys ?? [], DEVICE_DATE);

  let sim: RunningSimulator | undefined;
  let tap: RunningTap | undefined;
  let keypad: TenkeyKeypad | undefined;
  const out = createWriteStream(path);
  let outcome: CaptureOutcome | undefined;
  try {
    sim = await startSimulator({
      listen: 'tcp://127.0.0.1:0',
      clock,
      now: () => new Date(`${DEVICE_DATE}T12:00:00Z`),
      ...(plan.keyCounter !== undefined ? { keyCounter: plan.keyCounter } : {}),
      cardBlockSeed: CARD_BLOCK_SEED,
      ...(plan.deviceService !== undefined ? { service: plan.deviceService } : {}),
      ...(plan.faults !== undefined ? { faults: plan.faults } : {}),
      ...(plan.mergeKeyReports !== undefined ? { mergeKeyReports: plan.mergeKeyReports } : {}),
    });
    // The outcome is only known at the end: the header is written first, so it is patched in afterwards.
    tap = await startTap({
      device: sim.address,
      output: out,
      tool: 'tenkey fixture generator (tap)',
      note: plan.note,
      scenario,
      now: () => clock.now(),
      onChunk: () => timebase.noteActivity(),
      onLinkEvent: () => timebase.noteActivity(),
    });
    sim.keypad.on('frame-out', () => timebase.noteActivity());
    sim.keypad.on('state', () => timebase.noteActivity());
    await timebase.advanceTo(5);
    const opening = openTenkey({ device: tap.address, clock, ...(process.env['TENKEY_GEN_DEBUG'] ? { logger: streamLogger((line) => process.stderr.write(line + '\n'), 'debug') } : {}), ...(plan.hostService ? { service: plan.hostService } : {}) });
    await timebase.advanceTo(50);
    // A noisy line may need retransmissions (virtual time) before the handshake completes.
    if (!(await timebase.runUntilSettled(opening, 10_000))) throw new Error(`${plan.name}: openTenkey did not finish`);
    keypad = await opening;
    await timebase.advanceTo(Math.max(100, clock.now()));
    const read = keypad.readCard(plan.readCard ?? {});
    read.catch(() => undefined);
    let t = clock.now() + 300;
    const keyTimes: number[] = [];
    for (const key of keys) {
      await timebase.advanceTo(t);
      keyTimes.push(clock.now());
      sim.keypad.press(key);
      t += key === 'enter' ? 300 : plan.keyGapMs ?? 120;
    }
    if (plan.hostCancelAfterMs !== undefined) {
      t += plan.hostCancelAfterMs;
      await timebase.advanceTo(t);
      void keypad.cancel();
    }
    if (plan.unplugAfterMs !== undefined) {
      t += plan.unplugAfterMs;
      await timebase.advanceTo(t);
      await sim.vanish();
    }
    t += plan.tailMs ?? 600;
    await timebase.advanceTo(t);
    await timebase.runUntilSettled(read, 10_000);
    const [settled] = await Promise.allSettled([read]);
    outcome = outcomeOf(settled!);
    if (keyTimes.length > 0) scenario.keyTimes = keyTimes;
    await timebase.runUntilSettled(keypad.close(), 10_000);
  } finally {
    if (keypad) await timebase.runUntilSettled(keypad.close(), 10_000);
    await tap?.close();
    await sim?.close();
  }
  return { ...(outcome ? { outcome } : {}), ...(scenario.keyTimes ? { keyTimes: scenario.keyTimes } : {}) };
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  await mkdir(FIXTURE_DIR, { recursive: true });
  const { readFile, writeFile } = await import('node:fs/promises');
  for (const plan of FIXTURE_PLANS) {
    if (only.length > 0 && !only.includes(plan.name)) continue;
    const path = join(FIXTURE_DIR, `${plan.name}.jsonl`);
    const { outcome, keyTimes } = await recordFixture(plan, path);
    // Patch what only the end knows into the header (the tap wrote the header before the session ran).
    const [header = '', ...rest] = (await readFile(path, 'utf8')).split('\n');
    const parsed = JSON.parse(header) as { scenario?: Record<string, unknown> };
    parsed.scenario = { ...parsed.scenario, ...(keyTimes ? { keyTimes } : {}), ...(outcome ? { outcome } : {}) };
    await writeFile(path, [JSON.stringify(parsed), ...rest].join('\n'));
    process.stdout.write(`${plan.name}: ${rest.filter((l) => l.trim() !== '').length} records, outcome ${JSON.stringify(outcome)}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
