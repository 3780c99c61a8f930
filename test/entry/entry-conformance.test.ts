/**
 * Conformance by construction (issue 14): xstate/graph walks the shared entry statechart (the model: entry-model.ts)
 * over the key alphabet, and every path runs on the real VirtualKeypad and the real driver (openTenkey's code) over
 * the in-memory cable on virtual time. After every key and timeout the keypad's entry machine, the driver's
 * CardEntry machine and the model are in the same state; at the end readCard's result or error is the keypad's
 * outcome. Every path runs twice: DIGIT report merging off (every key settles before the next: a three-way check
 * after each key) and on (a run of digits is typed at once, so its reports merge; the keypad is checked after each
 * key, the driver once the run's reports are in).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StatePath } from 'xstate/graph';
import type { EntrySession } from '../../device-sim/firmware/entry-session.js';
import { VirtualKeypad } from '../../device-sim/virtual-keypad.js';
import type { CardEntry } from '../../host-driver/card-entry.js';
import { fromDeviceError, isTenkeyCancelled } from '../../host-driver/errors.js';
import { silentLogger } from '../../host-driver/logger.js';
import { checkedOpenSettings } from '../../host-driver/open-settings.js';
import { openTenkeyOverTransport } from '../../host-driver/open-over-transport.js';
import type { TenkeyKeypad } from '../../host-driver/tenkey-keypad.js';
import { DEFAULT_INACTIVITY_TIMEOUT_S, ENTRY_SESSION_CAP_S } from '../../protocol/constants.js';
import type { EntryOutput, EntrySnapshot } from '../../protocol/entry/entry-statechart.js';
import { toDeviceError } from '../../protocol/entry/entry-state-names.js';
import { memoryCable } from '../../testing/memory-cable.js';
import { VirtualTime } from '../../testing/virtual-time.js';
import { describeOutput, describeStep, entryModel, keysOf, modelPaths, pathTitle, type EntryModel, type ModelCard, type ModelEvent } from './entry-model.js';
import { modelInputOf, SCENARIOS, type EntryScenario } from './entry-scenarios.js';

/**
 * The machines the real keypad and driver create, as they create them: each class is the real one, recorded on
 * construction, so the test reads their snapshots without an accessor on VirtualKeypad or TenkeyKeypad.
 */
const latest = vi.hoisted(() => ({ session: undefined as unknown, entry: undefined as unknown }));
vi.mock('../../device-sim/firmware/entry-session.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../device-sim/firmware/entry-session.js')>();
  class RecordedEntrySession extends real.EntrySession {
    constructor(...args: ConstructorParameters<typeof real.EntrySession>) {
      super(...args);
      latest.session = this;
    }
  }
  return { ...real, EntrySession: RecordedEntrySession };
});
vi.mock('../../host-driver/card-entry.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../host-driver/card-entry.js')>();
  class RecordedCardEntry extends real.CardEntry {
    constructor(...args: ConstructorParameters<typeof real.CardEntry>) {
      super(...args);
      latest.entry = this;
    }
  }
  return { ...real, CardEntry: RecordedCardEntry };
});

/** Steps from the start: 6 reaches the third invalid number (INVALID_CARD); every scenario gets the same. */
const DEPTH = 6;
/** Paths per scenario at DEPTH (pinned: a change means the statechart's reachable behaviour changed). */
const EXPECTED_PATHS: Readonly<Record<string, number>> = {
  'visa with a valid expiry': 95,
  'luhn-fail (an invalid card number)': 87,
  'visa with an expired expiry': 96,
  'jcb refused by the visa-master service': 69,
  'mastercard without expiry': 69,
};
const TOTAL_PATHS = Object.values(EXPECTED_PATHS).reduce((a, b) => a + b, 0);
const DEVICE_DATE = '2026-12-01';
/** Virtual time before each step, so the session cap and the inactivity timeout never fall on the same instant. */
const PACE_MS = 1000;

interface Pair {
  merge: boolean;
  time: VirtualTime;
  keypad: VirtualKeypad;
  driver: TenkeyKeypad;
}

async function openPair(merge: boolean): Promise<Pair> {
  const time = new VirtualTime();
  const keypad = new VirtualKeypad({ clock: time.clock, now: () => new Date(`${DEVICE_DATE}T00:00:00Z`), mergeKeyReports: merge });
  const opening = openTenkeyOverTransport({
    ...checkedOpenSettings({ clock: time.clock, reconnect: false, logger: silentLogger }),
    address: 'memory://conformance',
    openTransport: async () => {
      const cable = memoryCable({ description: 'memory://conformance' });
      keypad.attach(cable.device);
      return cable.host;
    },
  });
  expect(await time.runUntilSettled(opening, 60_000)).toBe(true);
  return { merge, time, keypad, driver: await opening };
}

/** Lets every message in flight arrive and every timer due now fire. */
async function settle(time: VirtualTime): Promise<void> {
  for (let i = 0; i < 3; i++) await time.advance(0);
}

/** What must agree: the statechart's state and what it counts (never digits). */
function view(snapshot: EntrySnapshot) {
  const c = snapshot.context;
  return {
    status: snapshot.status, value: snapshot.value, field: c.field, notice: c.notice,
    panDigits: c.panDigits, expiryDigits: c.expiryDigits, invalidAttempts: c.invalidAttempts,
  };
}

type Reading = { ok: true; brand: string; last: string } | { ok: false; error: unknown };

/** The readCard outcome the model's end stands for. */
function expectReadingFits(reading: Reading, model: EntrySnapshot, keypadOutput: EntryOutput | undefined): void {
  const output = model.output!;
  expect(describeOutput(keypadOutput)).toBe(describeOutput(output));
  if (output.outcome === 'done') {
    const card = model.context.side as ModelCard;
    expect(reading).toEqual({ ok: true, brand: card.brand, last: card.last });
    expect(keypadOutput).toMatchObject({ result: { brand: card.brand, last: card.last } });
    return;
  }
  expect(reading.ok).toBe(false);
  const { error } = reading as { error: unknown };
  if (output.outcome === 'cancelled') {
    expect(isTenkeyCancelled(error)).toBe(true);
    expect(error).toMatchObject({ by: output.by });
    return;
  }
  const expected = fromDeviceError(toDeviceError(output)!, '');
  expect(error).toMatchObject({ code: expected.code, reason: expected.reason });
}

/** Runs one model path on the pair, checking after every key and timeout. */
async function runPath(pair: Pair, scenario: EntryScenario, path: StatePath<EntrySnapshot, ModelEvent>, model0: EntryModel): Promise<void> {
  const { statesPerKey, serializeState } = model0;
  const { time, keypad, driver, merge } = pair;
  const capPath = path.steps.some((s) => s.event.type === 'sessionCap');
  // A path ending at the cap runs with the longest inactivity timeout, which the cap then comes before.
  const timeoutSeconds = capPath ? ENTRY_SESSION_CAP_S : DEFAULT_INACTIVITY_TIMEOUT_S;
  let reading: Reading | undefined;
  const started = driver.readCard({
    timeoutSeconds, reveal: scenario.reveal, expiryRequired: scenario.expiry !== null,
    ...(scenario.service !== undefined ? { service: scenario.service } : {}),
  });
  started.then((card) => { reading = { ok: true, brand: card.brand, last: card.last }; }, (error: unknown) => { reading = { ok: false, error }; });
  await settle(time);
  const session = latest.session as EntrySession;
  const entry = latest.entry as CardEntry;
  expect(session.sessionId).toBe(entry.sessionId);
  const startedAt = time.now();
  let lastKeyAt = startedAt;
  const expectAll = (model: EntrySnapshot, what: string) => {
    expect(view(session.snapshot()), `keypad after ${what}`).toEqual(view(model));
    expect(view(entry.snapshot()), `driver after ${what}`).toEqual(view(model));
  };

  let model = path.steps[0]!.state;
  expectAll(model, 'the start');
  // The path's own step states are the first snapshot the traversal met in each abstract state (final states are
  // told apart by outcome only): the exact expectation is the model stepped along the path's events.
  for (const [index, { event, state }] of path.steps.entries()) {
    if ((event.type as string) === 'xstate.init') continue;
    const what = `step ${index} (${describeStep(event)})`;
    await time.advance(PACE_MS);
    const keys = keysOf(model, event);
    const perKey = statesPerKey(model, event);
    const next = perKey.at(-1) ?? model;
    expect(serializeState(next, event, model), `${what} reaches the path's state`).toBe(serializeState(state, event, model));
    if (keys.length > 0) {
      const burst = merge && keys.length > 1;
      for (const [k, key] of keys.entries()) {
        keypad.press(key);
        lastKeyAt = time.now();
        if (burst) {
          expect(view(session.snapshot()), `keypad after key ${k} of ${what}`).toEqual(view(perKey[k]!));
        } else {
          await settle(time);
          expectAll(perKey[k]!, `key ${k} of ${what}`);
        }
      }
    } else if (event.type === 'host.cancel') {
      void driver.cancel();
    } else if (event.type === 'inactivity' || event.type === 'sessionCap') {
      const due = event.type === 'inactivity' ? lastKeyAt + timeoutSeconds * 1000 : startedAt + ENTRY_SESSION_CAP_S * 1000;
      await time.advance(due - time.now() - 1);
      expect(session.ended, `keypad 1 ms before ${what}`).toBe(false);
      await time.advance(1);
    } else {
      throw new Error(`no way to run ${what} on the wire`);
    }
    await settle(time);
    model = next;
    expectAll(model, what);
  }

  if (model.status === 'active') {
    // The path ends mid-entry: end it from the host so the next path starts afresh.
    void driver.cancel();
    await settle(time);
    expect(session.ended).toBe(true);
    expect(reading).toMatchObject({ ok: false });
    return;
  }
  expect(reading, 'readCard settled with the entry').toBeDefined();
  expectReadingFits(reading!, model, session.snapshot().output);
}

const pairs: Pair[] = [];
beforeAll(async () => {
  pairs.push(await openPair(false), await openPair(true));
});
afterAll(async () => {
  for (const pair of pairs.splice(0)) {
    const closing = pair.driver.close();
    await pair.time.runUntilSettled(closing, 60_000);
    pair.keypad.close();
  }
});

describe(`entry conformance: keypad and driver over the cable, merging off and on — depth ${DEPTH}, ${TOTAL_PATHS} paths`, () => {
  for (const scenario of SCENARIOS) {
    describe(scenario.title, () => {
      const model = entryModel({ encryptAtOnce: true, depth: DEPTH });
      const paths = modelPaths(model, modelInputOf(scenario, DEVICE_DATE));

      it(`yields ${EXPECTED_PATHS[scenario.title]} paths at depth ${DEPTH}`, () => {
        expect(paths.length).toBe(EXPECTED_PATHS[scenario.title]);
      });

      for (const path of paths) {
        it(pathTitle(path), async () => {
          for (const pair of pairs) await runPath(pair, scenario, path, model);
        });
      }
    });
  }

  it('merged DIGIT reports with merging on, and none with it off', () => {
    const [off, on] = pairs;
    expect(off!.keypad.attachment!.link.stats.replaced).toBe(0);
    expect(on!.keypad.attachment!.link.stats.replaced).toBeGreaterThan(0);
  });
});
