/**
 * Properties of the entry machine over random key sequences with random clock advances.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { isLuhnValid, KEYPAD_KEYS, toEntryState, type EntrySnapshot, type KeypadKey } from '../../device-sim/entry/index.js';
import type { EntryStateName } from '../../protocol/messages.js';
import { allZero, flush, startEntry, type EntryHarness } from './entry-harness.js';

/**
 * Luhn-valid numbers picked so no 5-digit run of them can turn up in a snapshot by chance: nothing else in a
 * snapshot (settings, counts, the calendar, stub KSN bytes) is a number of more than four digits.
 */
const PANS = ['4916738593472681', '5398471629384753', '4789637182934651'] as const;
const EXPIRY = '0931';
const LEAK_RUN = 5;
const runsOf = (pan: string) => Array.from({ length: pan.length - LEAK_RUN + 1 }, (_, i) => pan.slice(i, i + LEAK_RUN));

const ENTRY_STATES: readonly EntryStateName[] = ['PAN', 'EXPIRY', 'PROCESSING', 'DONE', 'TIMEOUT', 'CANCELLED', 'FAILED'];
const FINAL_STATES: readonly EntryStateName[] = ['DONE', 'TIMEOUT', 'CANCELLED', 'FAILED'];
const OUTCOME_STATE = { done: 'DONE', timeout: 'TIMEOUT', cancelled: 'CANCELLED', failed: 'FAILED' } as const;

type Step =
  | { kind: 'typePan' }
  | { kind: 'typeExpiry' }
  | { kind: 'key'; key: KeypadKey }
  | { kind: 'hostCancel' }
  | { kind: 'advance'; ms: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'typePan' as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'typeExpiry' as const }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('key' as const), key: fc.constantFrom(...KEYPAD_KEYS) }), weight: 8 },
  { arbitrary: fc.record({ kind: fc.constant('key' as const), key: fc.constant('enter' as const) }), weight: 3 },
  { arbitrary: fc.constant({ kind: 'hostCancel' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 70_000 }) }), weight: 2 },
);
const terminatorArb = fc.constantFrom('cancel', 'hostCancel', 'timeout');
const sessionArb = fc.record({
  pan: fc.constantFrom(...PANS),
  reveal: fc.integer({ min: 0, max: 4 }),
  expiryRequired: fc.boolean(),
  steps: fc.array(stepArb, { maxLength: 40 }),
  terminator: terminatorArb,
});

async function apply(e: EntryHarness, step: Step, pan: string): Promise<void> {
  if (e.snapshot().status !== 'active') return; // the simulator never sends keys to a finished session
  switch (step.kind) {
    case 'typePan': e.type(pan); break;
    case 'typeExpiry': e.type(EXPIRY); break;
    case 'key': e.press(step.key); break;
    case 'hostCancel': e.hostCancel(); break;
    case 'advance': e.clock.increment(step.ms); break;
  }
  await flush();
}

/** Everything the machine let out: its snapshot (buffers included, as JSON objects) and every report. */
function observable(e: EntryHarness): string {
  return JSON.stringify([e.snapshot(), e.keyReports, e.stateReports, e.notices]);
}

function checkInvariants(e: EntryHarness, pan: string, reveal: number): void {
  const snapshot: EntrySnapshot = e.snapshot();
  expect(snapshot.status).not.toBe('error');
  expect(ENTRY_STATES).toContain(toEntryState(snapshot));
  const seen = observable(e);
  for (const run of runsOf(pan)) expect(seen).not.toContain(run);
  if (snapshot.output?.outcome === 'done') {
    // The number accepted may be more than the chosen PAN (random digits typed after it).
    const encrypted = e.encryptCalls[0]!.pan.join('');
    expect(snapshot.output.result.last).toBe(reveal === 0 ? '' : encrypted.slice(-reveal));
  }
}

describe('entry machine properties', () => {
  it('uses PANs that are valid and whose digit runs appear nowhere in an untouched session', () => {
    for (const pan of PANS) {
      expect(isLuhnValid(Uint8Array.from(pan, Number), pan.length)).toBe(true);
      const seen = observable(startEntry());
      for (const run of runsOf(pan)) expect(seen).not.toContain(run);
    }
  });

  it('stays in a known state, reveals at most `reveal` PAN digits, and ends exactly once with zeroed buffers', async () => {
    await fc.assert(
      fc.asyncProperty(sessionArb, async ({ pan, reveal, expiryRequired, steps, terminator }) => {
        const e = startEntry({ reveal, expiryRequired });
        const buffers = new Set<Uint8Array>([e.card.pan, e.card.expiry]);

        for (const step of steps) {
          await apply(e, step, pan);
          checkInvariants(e, pan, reveal);
        }

        if (terminator === 'timeout') e.clock.increment(300_000);
        else await apply(e, terminator === 'cancel' ? { kind: 'key', key: 'cancel' } : { kind: 'hostCancel' }, pan);
        await flush();
        checkInvariants(e, pan, reveal);

        const end = e.snapshot();
        expect(end.status).toBe('done');
        const output = end.output!;
        expect(toEntryState(end)).toBe(OUTCOME_STATE[output.outcome as keyof typeof OUTCOME_STATE]);
        expect(e.stateReports.filter((r) => FINAL_STATES.includes(r.state))).toHaveLength(1);
        expect([...buffers].filter((b) => !allZero(b))).toEqual([]);

        // Nothing moves it afterwards.
        const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
        try {
          e.hostCancel();
          e.clock.increment(600_000);
        } finally { warn.mockRestore(); }
        expect(e.snapshot().output).toEqual(output);
      }),
      { numRuns: 200 },
    );
  });
});
