/**
 * Model-based tests of the driver's connection machine (host-driver/connection/connection-machine.ts), as
 * test/entry/entry-model.test.ts does for the entry machine: xstate/graph walks the machine's own transition
 * function (the model) over the lifecycle's events — transport opened or not, HELLO acknowledged or not, INFO,
 * a refusal, the link dead, the transport closed, close(), the handshake's and the backoff's timers, an entry
 * starting and ending — and every generated path is replayed against a running actor (the system under test) whose
 * effects are stubs that record what the machine asked for, on virtual time (testing/stepping-clock.ts). After
 * every step the test checks the state, and what the step asked for: transports opened and released (none leaked,
 * none released twice), HELLOs said, 'connection' events announced (with attempt and backoff delay), the error
 * that names a failure, and that timers run only where the machine waits for something.
 */
import { createActor, type ActorLogic, type ActorScope, type AnyStateNode } from 'xstate';
import { getStateNodes, TestModel, type StatePath, type TestParam } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { backoffDelay, type BackoffOptions } from '../../host-driver/backoff.js';
import {
  connectionMachine, type ConnectionInput, type ConnectionMachineEvent, type ConnectionSnapshot, type EndSessionParams, type LogParams,
} from '../../host-driver/connection/connection-machine.js';
import type { LinkSession } from '../../host-driver/connection/link-session.js';
import { TenkeyError, tenkeyError } from '../../host-driver/errors.js';
import type { ConnectionEvent } from '../../host-driver/events.js';
import { connectionStateOf, type KeypadConnectionState } from '../../host-driver/keypad-connection.js';
import { PROTOCOL_VERSION, type InfoMessage } from '../../protocol/index.js';
import { protocolError } from '../../protocol/errors.js';
import { SteppingClock } from '../../testing/stepping-clock.js';
import { MachineCoverage, transitionKey } from '../machine-coverage.js';

const BACKOFF: BackoffOptions = { initialDelayMs: 100, maxDelayMs: 300, factor: 2 };
const INPUT: ConnectionInput = { address: 'memory://model', reconnect: BACKOFF, connectTimeoutMs: 10_000, answerWaitMs: 1_000 };

const INFO: InfoMessage = {
  type: 'INFO', protocolVersion: PROTOCOL_VERSION, model: 'MODEL', firmwareVersion: '1.0', serialNumber: 'M-1',
  keySetId: new Uint8Array(8).fill(0x11), acceptedBrands: ['visa'],
};
const OPEN_FAILED = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

type ModelEvent =
  | { type: 'CONNECT' } | { type: 'CLOSE' } | { type: 'ENTRY_STARTED' } | { type: 'ENTRY_ENDED' }
  | { type: 'transport.opened' } | { type: 'transport.openFailed' }
  | { type: 'hello.acked' } | { type: 'hello.notAcked' } | { type: 'hello.naked' }
  | { type: 'info' } | { type: 'info.badVersion' } | { type: 'refused.busy' }
  | { type: 'link.dead' } | { type: 'transport.closed' }
  | { type: 'timer.connectDeadline' } | { type: 'timer.answerWait' } | { type: 'timer.backoff' };

/** The model's stand-in for a wired transport (the machine only carries it to its effects). */
const MODEL_SESSION = { model: true } as unknown as LinkSession;

/** What a model event is to the machine: the class's calls, its effects' reports (open, HELLO, the watch), the timers'. */
function toMachineEvent(event: ModelEvent): ConnectionMachineEvent {
  const any = (e: object) => e as unknown as ConnectionMachineEvent;
  switch (event.type) {
    case 'transport.opened': return { type: 'LINK_OPENED', session: MODEL_SESSION };
    case 'transport.openFailed': return { type: 'OPEN_FAILED', error: OPEN_FAILED };
    case 'hello.acked': return { type: 'HELLO_ACKED' };
    case 'hello.notAcked': return { type: 'HELLO_FAILED', error: noAck() };
    case 'hello.naked': return { type: 'HELLO_FAILED', error: nak() };
    case 'info': return { type: 'INFO', info: INFO };
    case 'info.badVersion': return { type: 'INFO', info: { ...INFO, protocolVersion: 9 } };
    case 'refused.busy': return { type: 'REFUSED', code: 'BUSY', detail: 'another host is connected' };
    case 'link.dead': return { type: 'LINK_LOST', error: linkDead() };
    case 'transport.closed': return { type: 'LINK_LOST', error: tenkeyError('DISCONNECTED', 'memory://model closed') };
    case 'timer.connectDeadline': return any({ type: 'xstate.after.connectDeadline.connection.linked.handshaking' });
    case 'timer.answerWait': return any({ type: 'xstate.after.answerWait.connection.linked.handshaking.awaitingInfo' });
    case 'timer.backoff': return any({ type: 'xstate.after.backoff.connection.reconnecting' });
    default: return event;
  }
}

const noAck = () => protocolError('NO_ACK', 'no ACK for HELLO (seq 0) after 4 attempts');
const nak = () => protocolError('NAK_RECEIVED', 'peer refused HELLO (seq 0): MALFORMED');
const linkDead = () => tenkeyError('LINK_DEAD', 'nothing heard from the device for 3000 ms');

type Snapshot = ConnectionSnapshot;
type MachineScope = ActorScope<Snapshot, ConnectionMachineEvent>;

const connectionModelLogic: ActorLogic<Snapshot, ModelEvent, ConnectionInput> = {
  transition: (snapshot, event, scope) => connectionMachine.transition(snapshot, toMachineEvent(event), scope as unknown as MachineScope),
  getInitialSnapshot: (scope, input) => connectionMachine.getInitialSnapshot(scope as unknown as MachineScope, input),
  getPersistedSnapshot: (snapshot) => connectionMachine.getPersistedSnapshot(snapshot),
};

const model = new TestModel(connectionModelLogic, {
  input: INPUT,
  events: (snapshot) => eventsFor(snapshot),
  serializeState: (snapshot, event, previous) => vertexOf(snapshot, event, previous),
  serializeEvent: (event) => event.type,
});

/** The machine's state as a dotted path, e.g. 'linked.handshaking.sayingHello'. */
function stateName(snapshot: Snapshot): string {
  const path: string[] = [];
  let value: unknown = snapshot.value;
  while (typeof value === 'object' && value !== null) {
    const [key, inner] = Object.entries(value)[0]!;
    path.push(key);
    value = inner;
  }
  path.push(String(value));
  return path.join('.');
}

/** What distinguishes states for behaviour: where, whether it was ever connected, what the handshake knows, why it ended. */
function abstractState(snapshot: Snapshot): string {
  const c = snapshot.context;
  const name = stateName(snapshot);
  const parts = [name, c.everConnected ? 'after a connection' : 'first connection'];
  if (name.startsWith('linked.handshaking')) parts.push(c.acknowledged ? 'HELLO acked' : 'HELLO not acked', c.lastNoAck ? 'a NO_ACK seen' : '');
  if (name === 'closed' || name === 'reconnecting') parts.push(c.lastError?.reason ?? 'no error');
  return parts.filter(Boolean).join(', ');
}

/**
 * The traversal's vertices: the abstract state, plus the state an ending came from (so every way into closed and
 * reconnecting gets a path) and what brought a ready connection back to idle (a re-sent INFO, an entry's end).
 */
function vertexOf(snapshot: Snapshot, event: ModelEvent | undefined, previous: Snapshot | undefined): string {
  const name = stateName(snapshot);
  const from = previous ? stateName(previous) : undefined;
  if ((name === 'closed' || name === 'reconnecting') && from !== undefined && from !== name) return `${abstractState(snapshot)} from ${from}`;
  if (name === 'linked.ready.idle' && from?.startsWith('linked.ready')) return `${abstractState(snapshot)} after ${event?.type}`;
  return abstractState(snapshot);
}

const HANDSHAKE_EVENTS: ModelEvent[] = [
  { type: 'info' }, { type: 'info.badVersion' }, { type: 'refused.busy' }, { type: 'link.dead' }, { type: 'transport.closed' },
  { type: 'timer.connectDeadline' }, { type: 'CLOSE' },
];

/** The events each state can meet. */
function eventsFor(snapshot: Snapshot): ModelEvent[] {
  switch (stateName(snapshot)) {
    case 'idle': return [{ type: 'CONNECT' }, { type: 'CLOSE' }];
    case 'connecting.opening': return [{ type: 'transport.opened' }, { type: 'transport.openFailed' }, { type: 'CLOSE' }];
    case 'connecting.abandoning': return [{ type: 'transport.opened' }, { type: 'transport.openFailed' }];
    case 'linked.handshaking.sayingHello':
      return [{ type: 'hello.acked' }, { type: 'hello.notAcked' }, { type: 'hello.naked' }, ...HANDSHAKE_EVENTS];
    case 'linked.handshaking.awaitingInfo': return [{ type: 'timer.answerWait' }, ...HANDSHAKE_EVENTS];
    case 'linked.ready.idle':
      return [{ type: 'ENTRY_STARTED' }, { type: 'info' }, { type: 'link.dead' }, { type: 'transport.closed' }, { type: 'CLOSE' }];
    case 'linked.ready.inEntry': return [{ type: 'ENTRY_ENDED' }, { type: 'link.dead' }, { type: 'transport.closed' }, { type: 'CLOSE' }];
    case 'reconnecting': return [{ type: 'timer.backoff' }, { type: 'CLOSE' }];
    default: return [];
  }
}

// ---- system under test: the machine with recording stubs for its effects, on virtual time ----------------------

interface Deferred<T> { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void }
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface FakeSession { id: number; ended: EndSessionParams['reason'][]; messagesDelivered: boolean }

const coverage = new MachineCoverage();

function startConnection(input: ConnectionInput) {
  const clock = new SteppingClock();
  const opens: Deferred<LinkSession>[] = [];
  const hellos: { session: FakeSession; reply: Deferred<void> }[] = [];
  const sessions: FakeSession[] = [];
  const announced: ConnectionEvent[] = [];
  const logged: LogParams[] = [];
  /** The session watchLink watches and how it reports; LinkSession.end() (endSession) silences it, as here. */
  let watch: { session: FakeSession; report: (event: ConnectionMachineEvent) => void } | undefined;
  /** When the state each timer counts from was entered (virtual ms). */
  const enteredAt = { handshaking: 0, awaitingInfo: 0, reconnecting: 0 };

  // The effects as KeypadConnection's: the open and HELLO report back with events, HELLO not once its session ended
  // or delivers messages (the handshake is over: the machine would ignore it).
  const stale = (session: FakeSession) => session.ended.length > 0 || session.messagesDelivered;
  const machine = connectionMachine.provide({
    actions: {
      openLink: ({ self }) => {
        const open = deferred<LinkSession>();
        opens.push(open);
        open.promise.then(
          (session) => self.send({ type: 'LINK_OPENED', session }),
          (error: unknown) => self.send({ type: 'OPEN_FAILED', error }),
        );
      },
      sayHello: ({ self }, { session: linkSession }) => {
        const session = linkSession as unknown as FakeSession;
        const reply = deferred<void>();
        hellos.push({ session, reply });
        reply.promise.then(
          () => { if (!stale(session)) self.send({ type: 'HELLO_ACKED' }); },
          (error: unknown) => { if (!stale(session)) self.send({ type: 'HELLO_FAILED', error }); },
        );
      },
      watchLink: ({ self }, { session }) => {
        expect(watch, 'one watch at a time').toBeUndefined();
        watch = { session: session as unknown as FakeSession, report: (event) => self.send(event) };
      },
      deliverMessages: (_, { session }) => { (session as unknown as FakeSession).messagesDelivered = true; },
      endSession: (_, { session, reason }) => {
        (session as unknown as FakeSession).ended.push(reason);
        if (watch?.session === (session as unknown as FakeSession)) watch = undefined;
      },
      log: (_, params) => { logged.push(params); },
      announce: (_, event) => { announced.push(event); },
    },
  });
  const actor = createActor(machine, { clock, input, inspect: coverage.record });
  for (const node of actor.getSnapshot()._nodes) coverage.visited.add(node.id);
  let previous = 'idle';
  actor.subscribe((snapshot) => {
    const name = stateName(snapshot);
    const now = clock.now();
    if (name.startsWith('linked.handshaking') && !previous.startsWith('linked.handshaking')) enteredAt.handshaking = now;
    if (name === 'linked.handshaking.awaitingInfo' && previous !== name) enteredAt.awaitingInfo = now;
    if (name === 'reconnecting' && previous !== name) enteredAt.reconnecting = now;
    previous = name;
  });
  actor.start();

  /** Lets virtual time reach `time` (timers fire one at a time, each at its own due time). */
  const advanceTo = (time: number) => {
    while (clock.fireNext(time));
    clock.setNow(time);
  };

  return {
    actor, clock, opens, hellos, sessions, announced, logged, enteredAt,
    snapshot: () => actor.getSnapshot(),
    /** The keypad's answer or the session's loss, as watchLink reports them. */
    report: (event: ConnectionMachineEvent) => { expect(watch, 'watchLink runs').toBeDefined(); watch!.report(event); },
    /** Fires the timer due at `dueAt`, having checked that the machine still waits 1 ms before. */
    async fireAt(dueAt: number, waitingIn: (name: string) => boolean) {
      advanceTo(dueAt - 1);
      expect(waitingIn(stateName(actor.getSnapshot())), `still waiting 1 ms before ${dueAt}`).toBe(true);
      advanceTo(dueAt);
      await flush();
    },
    async openedTransport() {
      const session: FakeSession = { id: sessions.length + 1, ended: [], messagesDelivered: false };
      sessions.push(session);
      opens.at(-1)!.resolve(session as unknown as LinkSession);
      await flush();
    },
    get watched() { return watch?.session; },
  };
}
type Sut = ReturnType<typeof startConnection>;

/** The error a failure is named by, from what the path did (not from the machine): the rules of PROTOCOL.md §6.5. */
function expectedFailure(event: ModelEvent, before: Snapshot): string | undefined {
  const { acknowledged, lastNoAck } = before.context;
  const silent = !acknowledged && lastNoAck !== undefined;
  switch (event.type) {
    case 'transport.openFailed': return 'ECONNREFUSED';
    case 'hello.naked': return 'NAK_RECEIVED';
    case 'info.badVersion': return 'VERSION_MISMATCH';
    case 'refused.busy': return 'BUSY';
    case 'link.dead': return silent && stateName(before).startsWith('linked.handshaking') ? 'NO_ACK' : 'LINK_DEAD';
    case 'transport.closed': return 'DISCONNECTED';
    case 'timer.connectDeadline': return silent ? 'NO_ACK' : 'NO_HELLO_ANSWER';
    case 'CLOSE': return 'CLOSED';
    default: return undefined;
  }
}

const EXPECTED_STATE: Record<string, KeypadConnectionState> = {
  idle: 'idle', connecting: 'connecting', linked: 'connecting', reconnecting: 'reconnecting', closed: 'closed',
};

function testParams(sut: Sut): TestParam<Snapshot, ModelEvent> {
  let before = sut.snapshot();
  let announcedBefore = 0;
  let hellosBefore = 0;
  let opensBefore = 0;
  let lastEvent: ModelEvent | undefined;
  /** The session of the attempt under way, and those already released. */
  const step = (event: ModelEvent) => {
    before = sut.snapshot();
    announcedBefore = sut.announced.length;
    hellosBefore = sut.hellos.length;
    opensBefore = sut.opens.length;
    lastEvent = event;
  };
  return {
    events: {
      CONNECT: ({ event }) => { step(event); sut.actor.send({ type: 'CONNECT' }); },
      CLOSE: ({ event }) => { step(event); sut.actor.send({ type: 'CLOSE' }); },
      ENTRY_STARTED: ({ event }) => { step(event); sut.actor.send({ type: 'ENTRY_STARTED' }); },
      ENTRY_ENDED: ({ event }) => { step(event); sut.actor.send({ type: 'ENTRY_ENDED' }); },
      'transport.opened': async ({ event }) => { step(event); await sut.openedTransport(); },
      'transport.openFailed': async ({ event }) => { step(event); sut.opens.at(-1)!.reject(OPEN_FAILED); await flush(); },
      'hello.acked': async ({ event }) => { step(event); sut.hellos.at(-1)!.reply.resolve(); await flush(); },
      'hello.notAcked': async ({ event }) => { step(event); sut.hellos.at(-1)!.reply.reject(noAck()); await flush(); },
      'hello.naked': async ({ event }) => { step(event); sut.hellos.at(-1)!.reply.reject(nak()); await flush(); },
      info: ({ event }) => {
        step(event);
        // During the handshake INFO comes through watchLink; once ready, through the driver's message router.
        if (sut.snapshot().matches({ linked: 'ready' })) sut.actor.send(toMachineEvent(event));
        else sut.report(toMachineEvent(event));
      },
      'info.badVersion': ({ event }) => { step(event); sut.report(toMachineEvent(event)); },
      'refused.busy': ({ event }) => { step(event); sut.report(toMachineEvent(event)); },
      'link.dead': ({ event }) => { step(event); sut.report(toMachineEvent(event)); },
      'transport.closed': ({ event }) => { step(event); sut.report(toMachineEvent(event)); },
      'timer.connectDeadline': async ({ event }) => {
        step(event);
        // Any answerWait on the way only says HELLO again (its ACK never comes here): the deadline still holds.
        await sut.fireAt(sut.enteredAt.handshaking + INPUT.connectTimeoutMs, (name) => name.startsWith('linked.handshaking'));
      },
      'timer.answerWait': async ({ event }) => {
        step(event);
        await sut.fireAt(sut.enteredAt.awaitingInfo + INPUT.answerWaitMs, (name) => name === 'linked.handshaking.awaitingInfo');
      },
      'timer.backoff': async ({ event }) => {
        step(event);
        const { attempt } = sut.snapshot().context;
        await sut.fireAt(sut.enteredAt.reconnecting + backoffDelay(attempt - 1, BACKOFF), (name) => name === 'reconnecting');
      },
    },
    states: {
      '*': (expected) => {
        const actual = sut.snapshot();
        const name = stateName(actual);
        // The model's snapshot is the first one the traversal met in this abstract state: compare the abstraction.
        expect(abstractState(actual)).toBe(abstractState(expected));
        expect(connectionStateOf(actual)).toBe(name.startsWith('linked.ready') ? 'connected'
          : actual.context.everConnected && name !== 'closed' ? 'reconnecting' : EXPECTED_STATE[name.split('.')[0]!]);
        checkEffects(sut, { before, after: actual, event: lastEvent, newAnnouncements: sut.announced.slice(announcedBefore) });
        expect(sut.hellos.length - hellosBefore, 'HELLOs said in this step').toBe(hellosExpected(before, actual, lastEvent));
        expect(sut.opens.length - opensBefore, 'transports opened in this step').toBe(name.startsWith('connecting') && !stateName(before).startsWith('connecting') ? 1 : 0);
      },
    },
  };
}

/** HELLO is said on entering the handshake, again after a NO_ACK, and again when an ACKed HELLO's INFO does not come. */
function hellosExpected(before: Snapshot, after: Snapshot, event: ModelEvent | undefined): number {
  // On the way to the deadline from awaitingInfo, the answer wait runs out first: one more HELLO (never ACKed here).
  if (event?.type === 'timer.connectDeadline') return stateName(before) === 'linked.handshaking.awaitingInfo' ? 1 : 0;
  if (stateName(after) !== 'linked.handshaking.sayingHello') return 0;
  return event?.type === 'transport.opened' || event?.type === 'hello.notAcked' || event?.type === 'timer.answerWait' ? 1 : 0;
}

function checkEffects(sut: Sut, { before, after, event, newAnnouncements }: {
  before: Snapshot; after: Snapshot; event: ModelEvent | undefined; newAnnouncements: ConnectionEvent[];
}): void {
  const from = stateName(before);
  const to = stateName(after);
  const wasReady = from.startsWith('linked.ready');
  const isReady = to.startsWith('linked.ready');
  const failure = event ? expectedFailure(event, before) : undefined;

  // Announcements: connected on reaching ready; disconnected on leaving it; reconnecting before every attempt.
  const expectedStatuses = [
    ...(isReady && !wasReady ? ['connected'] : []),
    ...(wasReady && !isReady ? ['disconnected'] : []),
    ...(to === 'reconnecting' && from !== 'reconnecting' ? ['reconnecting'] : []),
  ];
  expect(newAnnouncements.map((e) => e.status)).toEqual(expectedStatuses);
  for (const announcement of newAnnouncements) {
    expect(announcement.address).toBe(INPUT.address);
    if (announcement.status === 'connected') expect(announcement.device).toMatchObject({ model: 'MODEL', keySetId: '11'.repeat(8) });
    if (announcement.status === 'disconnected') expect(announcement.error?.reason).toBe(failure);
    if (announcement.status === 'reconnecting') {
      // The attempt about to be made, counted since the last connection, and its backoff.
      const since = sut.announced.slice(0, sut.announced.lastIndexOf(announcement) + 1);
      const lastConnected = since.map((e) => e.status).lastIndexOf('connected');
      const attempt = since.slice(lastConnected + 1).filter((e) => e.status === 'reconnecting').length;
      expect(announcement).toMatchObject({ attempt, delayMs: backoffDelay(attempt - 1, BACKOFF) });
      expect(announcement.error).toBeInstanceOf(TenkeyError);
      if (failure !== undefined) expect(announcement.error?.reason).toBe(failure);
    }
  }

  // Transports: the current one (while linked) is open and the only open one; every other was released exactly once.
  const current = after.context.session as unknown as FakeSession | undefined;
  expect(current !== undefined).toBe(to.startsWith('linked'));
  for (const session of sut.sessions) {
    expect(session.ended.length, `session ${session.id} released`).toBe(session === current ? 0 : 1);
  }
  // Released in this step: by the failure that ended the attempt, and for that reason.
  const releasedNow = sut.sessions.filter((s) => s !== current && s.ended.length === 1 && (before.context.session as unknown) === s);
  for (const session of releasedNow) expect(session.ended[0]!.reason).toBe(failure);
  if (event?.type === 'transport.opened' && from === 'connecting.abandoning') {
    expect(sut.sessions.at(-1)!.ended.map((e) => e.reason)).toEqual(['CLOSED']);
  }

  // Messages go straight to the driver once ready, and only then.
  if (current) expect(current.messagesDelivered).toBe(isReady);
  // The link is watched exactly while linked, and it is the current session that is.
  expect(sut.watched).toBe(current);

  // Why it ended: the error connect() rejects with, or the reconnecting event carries.
  if ((to === 'closed' || to === 'reconnecting') && failure !== undefined && from !== to) {
    expect(after.context.lastError?.reason).toBe(failure);
  }
  // Timers run only while the machine waits for one: the handshake's deadline (and answer wait), or the backoff.
  const timers = to === 'linked.handshaking.awaitingInfo' ? 2 : to.startsWith('linked.handshaking') || to === 'reconnecting' ? 1 : 0;
  expect(sut.clock.pendingTimers, `timers pending in ${to}`).toBe(timers);
  expect(after.matches({ linked: { ready: 'inEntry' } })).toBe(to === 'linked.ready.inEntry');
}

function describePath(path: StatePath<Snapshot, ModelEvent>): string {
  const steps = path.steps.map(({ event }) => event.type).filter((type) => (type as string) !== 'xstate.init');
  return `${steps.join(' → ') || '(start)'} ⇒ ${abstractState(path.state)}`;
}

async function replay(path: StatePath<Snapshot, ModelEvent>, input: ConnectionInput = INPUT): Promise<void> {
  const sut = startConnection(input);
  try {
    await model.testPath(path, testParams(sut));
  } finally {
    sut.actor.stop();
    await flush();
  }
}

/** Pinned like xstate's own dieHard.test.ts: a change here means the machine's reachable behaviour changed. */
const EXPECTED_SHORTEST_PATHS = 47;
const EXPECTED_SIMPLE_PATHS = 8;
const EXPECTED_NO_RECONNECT_PATHS = 28;

describe(`connection machine model — shortest path to each of its ${EXPECTED_SHORTEST_PATHS} distinguishable states`, () => {
  const paths = model.getShortestPaths();

  it(`generates ${EXPECTED_SHORTEST_PATHS} paths`, () => {
    expect(paths.length).toBe(EXPECTED_SHORTEST_PATHS);
  });

  for (const path of paths) {
    it(describePath(path), async () => { await replay(path); });
  }
});

describe(`connection machine model — all ${EXPECTED_SIMPLE_PATHS} simple paths of a first handshake to ready`, () => {
  // Every acyclic way through HELLO's retry rules (not acknowledged, acknowledged but no INFO) to a connection.
  const paths = model.getSimplePaths({
    toState: (s) => s.matches({ linked: 'ready' }),
    events: (s) => eventsFor(s).filter((e) => ['CONNECT', 'transport.opened', 'hello.acked', 'hello.notAcked', 'timer.answerWait', 'info'].includes(e.type)),
  });

  it(`generates ${EXPECTED_SIMPLE_PATHS} paths`, () => {
    expect(paths.length).toBe(EXPECTED_SIMPLE_PATHS);
  });

  for (const path of paths) {
    it(describePath(path), async () => { await replay(path); });
  }
});

describe(`connection machine model — without reconnect: shortest path to each of its ${EXPECTED_NO_RECONNECT_PATHS} states`, () => {
  // reconnect: false — a lost keypad stays lost (closed), and nothing is ever scheduled.
  const input: ConnectionInput = { ...INPUT, reconnect: false };
  const paths = model.getShortestPaths({ input });

  it(`generates ${EXPECTED_NO_RECONNECT_PATHS} paths`, () => {
    expect(paths.length).toBe(EXPECTED_NO_RECONNECT_PATHS);
  });

  for (const path of paths) {
    it(describePath(path), async () => { await replay(path, input); });
  }
});

// Runs after the path tests above (vitest keeps a file's order), from what their actors went through.
describe('connection machine model — coverage', () => {
  const allNodes: AnyStateNode[] = [connectionMachine.root, ...getStateNodes(connectionMachine.root)];

  it('visited every state of the machine', () => {
    expect([...new Set(allNodes.map((n) => n.id))].filter((id) => !coverage.visited.has(id))).toEqual([]);
  });

  it('took every transition of the machine', () => {
    const all = allNodes.flatMap((node) => [...node.transitions.values()].flat().map(transitionKey));
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((key) => !coverage.taken.has(key))).toEqual([]);
  });
});
