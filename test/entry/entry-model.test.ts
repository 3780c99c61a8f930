/**
 * Model-based tests: xstate/graph walks the entry machine's own transition function (the model) over a
 * representative event set, and every generated path is replayed against a running actor (the system under
 * test: SimulatedClock timers, an invoked encryptCard stub, provided actions), checking after each step that
 * the two agree. A typed card is one model event (a run of digit keys), so the graph stays small.
 */
import type { ActorLogic, ActorScope, AnyStateNode, AnyTransitionDefinition, InspectionEvent } from 'xstate';
import { getStateNodes, TestModel, type StatePath, type TestParam } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import {
  entryMachine, isKeypadKey, stopEntry, toEntryState,
  type EntryEvent, type EntryInput, type EntrySnapshot, type KeypadKey,
} from '../../device-sim/entry/index.js';
import { allZero, flush, startEntry, STUB_OUTPUT, TODAY, type EntryHarness } from './entry-harness.js';

const INPUT: EntryInput = {
  sessionId: 7, inactivityTimeoutS: 60, reveal: 3, expiryRequired: true,
  acceptedBrands: ['visa', 'mastercard'], sessionCapS: 300, today: TODAY,
};

const PAN_TYPINGS = {
  validPan: '4242424242424242',
  invalidPan: '4242424242424241', // Luhn fails
  unsupportedPan: '3530111333300000', // JCB: not in INPUT.acceptedBrands
  shortPan: '42424242424', // 11 digits
  longPan: '42424242424242420067', // a valid 19-digit Visa, then one digit too many
} as const;
const EXPIRY_TYPINGS = {
  validExpiry: '1230',
  badMonthExpiry: '1330',
  expiredExpiry: '1026', // before TODAY (2026-11)
  shortExpiry: '12',
  longExpiry: '12319', // the fifth digit is ignored
} as const;
type Typing = keyof typeof PAN_TYPINGS | keyof typeof EXPIRY_TYPINGS;
const TYPED: Record<Typing, string> = { ...PAN_TYPINGS, ...EXPIRY_TYPINGS };

type ModelEvent =
  | { type: 'type'; what: Typing }
  | { type: 'key'; key: 'backspace' | 'clear' | 'enter' | 'cancel' }
  | { type: 'host.cancel' }
  | { type: 'timer.inactivity' }
  | { type: 'timer.sessionCap' }
  | { type: 'encrypt.done' }
  | { type: 'encrypt.error'; code: 'KEY_EXHAUSTED' | 'INTERNAL' };

/** What a model event means to the machine: the keys typed, the timer's own event, or the invoke's. */
function toMachineEvents(event: ModelEvent): EntryEvent[] {
  switch (event.type) {
    case 'type': return [...TYPED[event.what]].map((ch) => ({ type: 'key', key: ch as KeypadKey }));
    case 'encrypt.done':
      return [{ type: 'xstate.done.actor.encryptCard', output: STUB_OUTPUT, actorId: 'encryptCard' } as unknown as EntryEvent];
    case 'encrypt.error':
      return [{ type: 'xstate.error.actor.encryptCard', error: { code: event.code }, actorId: 'encryptCard' } as unknown as EntryEvent];
    default: return [event];
  }
}

type MachineScope = ActorScope<EntrySnapshot, EntryEvent>;

const entryModelLogic: ActorLogic<EntrySnapshot, ModelEvent, EntryInput> = {
  transition: (snapshot, event, scope) =>
    toMachineEvents(event).reduce((s, e) => entryMachine.transition(s, e, scope as unknown as MachineScope), snapshot),
  getInitialSnapshot: (scope, input) => entryMachine.getInitialSnapshot(scope as unknown as MachineScope, input),
  getPersistedSnapshot: (snapshot) => entryMachine.getPersistedSnapshot(snapshot),
};

const digitsOf = (buffer: Uint8Array, count: number) => Array.from(buffer.subarray(0, count)).join('');

/** Which typing a field holds: its name, its name minus one digit (after a backspace), or just a count. */
function fieldClass(buffer: Uint8Array, count: number, typings: Record<string, string>): string {
  if (count === 0) return 'empty';
  const held = digitsOf(buffer, count);
  for (const [name, keys] of Object.entries(typings)) {
    const kept = keys.slice(0, buffer.length);
    if (held === kept) return name;
    if (held === kept.slice(0, -1)) return `${name}-1`;
  }
  return `${count} digits`;
}

/** What distinguishes states for behaviour; buffers only by class, and the PAN not at all once accepted. */
function abstractState(snapshot: EntrySnapshot): string {
  const c = snapshot.context;
  const state = toEntryState(snapshot);
  switch (state) {
    case 'PAN':
      return JSON.stringify([state, c.notice, c.invalidAttempts, fieldClass(c.pan, c.panDigits, PAN_TYPINGS)]);
    case 'EXPIRY':
      return JSON.stringify([state, c.notice, fieldClass(c.expiry, c.expiryDigits, EXPIRY_TYPINGS)]);
    default:
      return JSON.stringify([state, describeOutcome(snapshot)]);
  }
}

/**
 * The traversal's vertices: the abstract state, plus how a field became empty (so clearing is a step of its own)
 * and which state a session ended from (so every way out of every state gets a path).
 */
function serializeState(snapshot: EntrySnapshot, event: ModelEvent | undefined, previous?: EntrySnapshot): string {
  const c = snapshot.context;
  const emptied = event?.type === 'key' && (event.key === 'clear' || event.key === 'backspace')
    && (toEntryState(snapshot) === 'PAN' ? c.panDigits : c.expiryDigits) === 0;
  const endedFrom = snapshot.status === 'done' && previous ? ` from ${toEntryState(previous)}` : '';
  return `${abstractState(snapshot)}${emptied ? ` after ${event.key}` : ''}${endedFrom}`;
}

function describeOutcome(snapshot: EntrySnapshot): string {
  const output = snapshot.output;
  if (output === undefined) return '';
  switch (output.outcome) {
    case 'done': return `done ${output.result.brand} …${output.result.last}`;
    case 'timeout': return `timeout (${output.reason})`;
    case 'cancelled': return `cancelled by ${output.by}`;
    case 'failed': return `failed ${output.code}`;
  }
}

function isTypedExactly(buffer: Uint8Array, count: number, typings: Record<string, string>): boolean {
  const cls = fieldClass(buffer, count, typings);
  return cls !== 'empty' && !cls.endsWith('-1') && !cls.endsWith('digits');
}

const ALWAYS: ModelEvent[] = [
  { type: 'key', key: 'enter' }, { type: 'key', key: 'cancel' }, { type: 'host.cancel' }, { type: 'timer.inactivity' },
];

/** The representative events offered in each state. */
function eventsFor(snapshot: EntrySnapshot): ModelEvent[] {
  if (snapshot.status !== 'active') return [];
  const c = snapshot.context;
  switch (toEntryState(snapshot)) {
    case 'PAN': return [
      ...(c.panDigits === 0 ? Object.keys(PAN_TYPINGS).map((what) => ({ type: 'type', what }) as ModelEvent) : []),
      ...(isTypedExactly(c.pan, c.panDigits, PAN_TYPINGS) ? [{ type: 'key', key: 'backspace' } as const] : []),
      ...(c.panDigits > 0 ? [{ type: 'key', key: 'clear' } as const] : []),
      ...ALWAYS,
    ];
    case 'EXPIRY': return [
      ...(c.expiryDigits === 0 ? Object.keys(EXPIRY_TYPINGS).map((what) => ({ type: 'type', what }) as ModelEvent) : []),
      ...(c.expiryDigits === 0 || isTypedExactly(c.expiry, c.expiryDigits, EXPIRY_TYPINGS)
        ? [{ type: 'key', key: 'backspace' } as const] : []),
      ...(c.expiryDigits > 0 ? [{ type: 'key', key: 'clear' } as const] : []),
      ...ALWAYS,
    ];
    case 'PROCESSING': return [
      { type: 'encrypt.done' }, { type: 'encrypt.error', code: 'KEY_EXHAUSTED' }, { type: 'encrypt.error', code: 'INTERNAL' },
      { type: 'key', key: 'enter' }, { type: 'key', key: 'cancel' }, { type: 'host.cancel' }, { type: 'timer.sessionCap' },
    ];
    default: return [];
  }
}

const model = new TestModel(entryModelLogic, {
  input: INPUT,
  events: eventsFor,
  serializeState,
  serializeEvent: (event) => JSON.stringify(event),
});

// ---- system under test -------------------------------------------------------------------------------------

const transitionKey = (t: AnyTransitionDefinition) =>
  `${t.source.id} on ${t.eventType} #${t.source.transitions.get(t.eventType)?.indexOf(t) ?? -1}`;
const takenTransitions = new Set<string>();
const visitedStates = new Set<string>();

function recordCoverage(event: InspectionEvent): void {
  if (event.type !== '@xstate.microstep') return;
  for (const t of event._transitions) takenTransitions.add(transitionKey(t));
  for (const node of (event.snapshot as EntrySnapshot)._nodes) visitedStates.add(node.id);
}

/** A running actor driven by the path's events, compared with the model after every step. */
function testParams(sut: EntryHarness): TestParam<EntrySnapshot, ModelEvent> {
  const started = sut.clock.now();
  return {
    events: {
      type: ({ event }) => {
        for (const ch of TYPED[(event as Extract<ModelEvent, { type: 'type' }>).what]) {
          if (!isKeypadKey(ch)) throw new TypeError(ch);
          sut.press(ch);
        }
      },
      key: ({ event }) => { sut.press((event as Extract<ModelEvent, { type: 'key' }>).key); },
      'host.cancel': () => { sut.hostCancel(); },
      'timer.inactivity': () => {
        sut.clock.increment(INPUT.inactivityTimeoutS! * 1000 - 1);
        expect(sut.snapshot().status).toBe('active');
        sut.clock.increment(1);
      },
      'timer.sessionCap': () => {
        sut.clock.increment(INPUT.sessionCapS! * 1000 - 1 - (sut.clock.now() - started));
        expect(sut.snapshot().status).toBe('active');
        sut.clock.increment(1);
      },
      'encrypt.done': async () => { await sut.settleEncrypt({ output: STUB_OUTPUT }); },
      'encrypt.error': async ({ event }) => {
        await sut.settleEncrypt({ error: { code: (event as Extract<ModelEvent, { type: 'encrypt.error' }>).code } });
      },
    },
    states: {
      // The model's snapshot is the first one the traversal met in that abstract state (see serializeState),
      // so compare what the abstraction keeps, exactly, and check the invariants on the actor's own snapshot.
      '*': (expected) => {
        const actual = sut.snapshot();
        expect(abstractState(actual)).toBe(abstractState(expected));
        expect(actual.status).toBe(expected.status);
        expect(actual.context.field).toBe(expected.context.field);
        expect(actual.output).toEqual(expected.output);
        expect(sut.stateReports.at(-1)?.state).toBe(toEntryState(actual));
        if (actual.status === 'done') {
          expect(allZero(actual.context.pan) && allZero(actual.context.expiry)).toBe(true);
        }
      },
    },
  };
}

function describePath(path: StatePath<EntrySnapshot, ModelEvent>): string {
  const steps = path.steps.filter(({ event }) => (event.type as string) !== 'xstate.init').map(({ event }) => {
    switch (event.type) {
      case 'type': return event.what;
      case 'key': return event.key;
      case 'encrypt.error': return `encrypt.error(${event.code})`;
      default: return event.type;
    }
  });
  return `${steps.join(' → ') || '(start)'} ⇒ ${toEntryState(path.state)} ${describeOutcome(path.state)}`.trim();
}

async function replay(path: StatePath<EntrySnapshot, ModelEvent>, input: EntryInput = INPUT): Promise<void> {
  const sut = startEntry(input, { encrypt: 'manual', inspect: recordCoverage });
  try {
    await model.testPath(path, testParams(sut));
  } finally {
    stopEntry(sut.actor);
    await flush();
  }
}

/** Pinned like xstate's own dieHard.test.ts: a change here means the machine's reachable behaviour changed. */
const EXPECTED_SHORTEST_PATHS = 44;
const EXPECTED_SIMPLE_PATHS = 14;

describe('entry machine model — shortest path to every state', () => {
  const paths = model.getShortestPaths();

  it('generates one path per distinguishable state not already on a longer path', () => {
    expect(paths.length).toBe(EXPECTED_SHORTEST_PATHS);
  });

  for (const path of paths) {
    it(describePath(path), async () => { await replay(path); });
  }
});

describe('entry machine model — every simple path to a result, no expiry', () => {
  // Same machine without the expiry field; all acyclic ways to a RESULT (through up to two invalid numbers).
  const noExpiry = { ...INPUT, expiryRequired: false };
  const paths = model.getSimplePaths({
    input: noExpiry,
    toState: (s) => s.output?.outcome === 'done',
    events: (s) => eventsFor(s).filter((e) => e.type === 'encrypt.done' || (e.type === 'key' && e.key === 'enter')
      || (e.type === 'type' && (e.what === 'validPan' || e.what === 'invalidPan'))),
  });

  it('generates the expected number of paths', () => {
    expect(paths.length).toBe(EXPECTED_SIMPLE_PATHS);
  });

  for (const path of paths) {
    it(describePath(path), async () => { await replay(path, noExpiry); });
  }
});

// Runs after the path tests above (vitest keeps a file's order), from what their actors went through.
describe('entry machine model — coverage', () => {
  const allNodes: AnyStateNode[] = [entryMachine.root, ...getStateNodes(entryMachine.root)];

  it('visited every state of the machine', () => {
    expect([...new Set(allNodes.map((n) => n.id))].filter((id) => !visitedStates.has(id))).toEqual([]);
  });

  it('took every transition of the machine', () => {
    const all = allNodes.flatMap((node) => [...node.transitions.values()].flat().map(transitionKey));
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((key) => !takenTransitions.has(key))).toEqual([]);
  });
});
