/**
 * Keypad-only model test: the same model (entry-model.ts, the shared statechart over an abstract TEST card) walked
 * with the keypad's own encryptor steps (it settles, or fails KEY_EXHAUSTED / INTERNAL, or the entry ends while it
 * runs) and the PAN overflow, each path replayed on a real EntrySession (the keypad's statechart provision, its
 * buffers and its two timers on a SimulatedClock). After every key the session equals the model; at the end its
 * buffers are zero. The coverage block checks that the paths took every transition the keypad can take.
 */
import type { AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { MachineCoverage, transitionKey } from '../machine-coverage.js';
import { getStateNodes, type StatePath } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { entryMachine, type EntrySnapshot } from '../../device-sim/entry/index.js';
import { ENTRY_SESSION_CAP_S } from '../../protocol/constants.js';
import { toEntryState } from '../../protocol/entry/entry-state-names.js';
import { allZero, flush, startEntry, STUB_OUTPUT, TODAY } from './entry-harness.js';
import { describeOutput, describeStep, entryModel, keysOf, modelPaths, pathTitle, type EntryModel, type ModelCard, type ModelEvent } from './entry-model.js';
import { modelInputOf, SCENARIOS, type EntryScenario } from './entry-scenarios.js';

const DEPTH = 6;
/** Paths per scenario at DEPTH (pinned: a change means the statechart's reachable behaviour changed). */
const EXPECTED_PATHS: Readonly<Record<string, number>> = {
  'visa with a valid expiry': 121,
  'luhn-fail (an invalid card number)': 96,
  'visa with an expired expiry': 114,
  'jcb refused by the visa-master service': 77,
  'mastercard without expiry': 90,
};
const TOTAL_PATHS = Object.values(EXPECTED_PATHS).reduce((a, b) => a + b, 0);
const DEVICE_DATE = `${TODAY.year}-${String(TODAY.month).padStart(2, '0')}-01`;
const INACTIVITY_S = 60;
/** On paths that reach the cap, the cap comes before the inactivity timeout. */
const SHORT_CAP_S = 30;

const view = (snapshot: EntrySnapshot) => {
  const c = snapshot.context;
  return {
    status: snapshot.status, value: snapshot.value, field: c.field, notice: c.notice,
    panDigits: c.panDigits, expiryDigits: c.expiryDigits, invalidAttempts: c.invalidAttempts,
    outcome: describeOutput(snapshot.output),
  };
};

const coverage = new MachineCoverage();

async function replay(scenario: EntryScenario, path: StatePath<EntrySnapshot, ModelEvent>, model: EntryModel): Promise<void> {
  const rules = modelInputOf(scenario, DEVICE_DATE).rules;
  const capPath = path.steps.some((s) => s.event.type === 'sessionCap');
  const sut = startEntry({
    sessionId: 1, inactivityTimeoutS: INACTIVITY_S, sessionCapS: capPath ? SHORT_CAP_S : ENTRY_SESSION_CAP_S,
    reveal: scenario.reveal, expiryRequired: scenario.expiry !== null, acceptedBrands: [...rules.acceptedBrands], today: TODAY,
  }, { encrypt: 'manual', inspect: coverage.record });
  const started = sut.clock.now();
  let lastKeyAt = started;
  let expected = path.steps[0]!.state;
  expect(view(sut.snapshot())).toEqual(view(expected));
  try {
    for (const [index, { event, state }] of path.steps.entries()) {
      if ((event.type as string) === 'xstate.init') continue;
      const what = `step ${index} (${describeStep(event)})`;
      const perKey = model.statesPerKey(expected, event);
      const next = perKey.at(-1) ?? expected;
      expect(model.serializeState(next, event, expected), `${what} reaches the path's state`).toBe(model.serializeState(state, event, expected));
      const keys = keysOf(expected, event);
      for (const [k, key] of keys.entries()) {
        if (sut.snapshot().context.field !== 'NONE') lastKeyAt = sut.clock.now();
        sut.press(key);
        expect(view(sut.snapshot()), `key ${k} of ${what}`).toEqual(view(perKey[k]!));
      }
      switch (event.type) {
        case 'host.cancel': sut.hostCancel(); break;
        case 'inactivity': case 'sessionCap': {
          const due = event.type === 'inactivity' ? lastKeyAt + INACTIVITY_S * 1000 : started + SHORT_CAP_S * 1000;
          sut.clock.increment(due - sut.clock.now() - 1);
          expect(sut.snapshot().status, `1 ms before ${what}`).toBe('active');
          sut.clock.increment(1);
          break;
        }
        case 'encrypt.done': await sut.settleEncrypt({ output: STUB_OUTPUT }); break;
        case 'encrypt.error': await sut.settleEncrypt({ error: { code: event.code } }); break;
        default: break;
      }
      expected = next;
      expect(view(sut.snapshot()), what).toEqual(view(expected));
    }
    const actual = sut.snapshot();
    if (actual.status === 'done') {
      // The buffers are zero once the entry ended; a result is the accepted number's brand and last digits.
      expect(allZero(sut.card.pan) && allZero(sut.card.expiry)).toBe(true);
      expect(sut.ends).toHaveLength(1);
      const card = expected.context.side as ModelCard;
      if (actual.output?.outcome === 'done') expect(actual.output.result).toMatchObject({ brand: card.brand, last: card.last });
      // The encryptor was handed the number the model holds as accepted (its brand), once, when it was reached.
      const encrypted = path.steps.some((s) => s.state.value === 'processing');
      expect(sut.encryptCalls.map((c) => c.brand)).toEqual(encrypted ? [card.brand] : []);
    }
    // The last STATUS the keypad reported names the state it is in.
    expect(sut.stateReports.at(-1)?.state).toBe(toEntryState(actual));
  } finally {
    sut.hostCancel();
    await flush();
  }
}

describe(`entry statechart model on the keypad alone — depth ${DEPTH}, ${TOTAL_PATHS} paths`, () => {
  for (const scenario of SCENARIOS) {
    describe(scenario.title, () => {
      const model = entryModel({ encryptAtOnce: false, depth: DEPTH, overflow: true });
      const paths = modelPaths(model, modelInputOf(scenario, DEVICE_DATE, INACTIVITY_S));

      it(`yields ${EXPECTED_PATHS[scenario.title]} paths at depth ${DEPTH}`, () => {
        expect(paths.length).toBe(EXPECTED_PATHS[scenario.title]);
      });

      for (const path of paths) {
        it(pathTitle(path), async () => { await replay(scenario, path, model); });
      }
    });
  }
});

// Runs after the path tests above (vitest keeps a file's order), from what their sessions went through.
describe('entry statechart model on the keypad alone — coverage', () => {
  const allNodes: AnyStateNode[] = [entryMachine.root, ...getStateNodes(entryMachine.root)];
  /** Where only the driver goes: after the final STATUS (`ending`), after the cancel key's KEY (`cancelling`). */
  const DRIVER_ONLY_STATES = ['entry.ending', 'entry.cancelling'];
  /** What only the driver takes: its reports, probes and abandons, the catch-up after lost reports, a report out of step, its own states. */
  const driverOnly = (t: AnyTransitionDefinition) =>
    t.eventType.startsWith('report.') || ['probe', 'host.abandon', '*'].includes(t.eventType)
    || (typeof t.guard === 'string' ? ['keyInExpiry', 'hasReport', 'isReport'].includes(t.guard) : false)
    || DRIVER_ONLY_STATES.includes(t.source.id) || (t.target ?? []).some((node) => DRIVER_ONLY_STATES.includes(node.id));

  it('visited every state of the machine but the driver\'s `ending` and `cancelling`', () => {
    expect(allNodes.map((n) => n.id).filter((id) => !DRIVER_ONLY_STATES.includes(id) && !coverage.visited.has(id))).toEqual([]);
  });

  it('took every transition the keypad can take', () => {
    const all = allNodes.flatMap((node) => [...node.transitions.values()].flat().filter((t) => !driverOnly(t)).map(transitionKey));
    expect(all.length).toBeGreaterThanOrEqual(25);
    expect(all.filter((key) => !coverage.taken.has(key))).toEqual([]);
  });
});
