/**
 * The model for the entry statechart's model-based tests: the shared `entryStatechart` itself, provided with
 * implementations over an immutable abstract card (the digits typed so far of one chosen TEST card, as strings
 * in the `side` slot, replaced on every change) so xstate/graph can traverse its snapshots. The key alphabet is
 * offered per state (next correct digit, the rest of the field, a wrong digit, BACKSPACE, CLEAR, ENTER, CANCEL,
 * the two timeouts, the host's cancel); a traversal stops at a chosen depth.
 *
 * The model's guards apply the keypad's card rules (Luhn, brand, expiry: card-rules.ts, tested on their own) to
 * those strings; the statechart's structure, not the rules, is what the paths exercise. Card digits stay here and
 * in the SUT's key presses: describeStep() names steps, never digits.
 */
import { assign, type ActorLogic, type ActorScope, type EventObject } from 'xstate';
import { getShortestPaths, type StatePath } from 'xstate/graph';
import { detectBrand } from '../../device-sim/entry/brand.js';
import { checkExpiry, isBrandAccepted, isLuhnValid, type CalendarMonth } from '../../device-sim/entry/card-rules.js';
import type { KeypadKey } from '../../device-sim/entry/keys.js';
import { MAX_INVALID_PAN_ATTEMPTS, PAN_MAX_DIGITS, PAN_MIN_DIGITS } from '../../protocol/constants.js';
import {
  encryptNever, entryStatechart, EXPIRY_DIGITS,
  type EntryContext, type EntryEvent, type EntryOutput, type EntryResult, type EntrySnapshot,
} from '../../protocol/entry/entry-statechart.js';
import { toEntryState } from '../../protocol/entry/entry-state-names.js';
import type { Brand } from '../../protocol/messages.js';

/** What one scenario's card and session are. */
export interface ModelRules {
  /** The TEST card's digits (PAN) and its expiry (MMYY): what "correct" means. */
  pan: string;
  expiry: string;
  acceptedBrands: readonly Brand[];
  today: CalendarMonth;
  reveal: number;
}

/** The model's `side`: what the keypad's buffers hold, as immutable strings. */
export interface ModelCard {
  readonly rules: ModelRules;
  readonly pan: string;
  readonly expiry: string;
  readonly brand: Brand | null;
  readonly last: string;
}

const cardOf = (context: EntryContext): ModelCard => context.side as ModelCard;
const luhn = (digits: string) => isLuhnValid(Uint8Array.from(digits, Number), digits.length);
const expiryCheck = (card: ModelCard) => checkExpiry(Uint8Array.from(card.expiry, Number), card.expiry.length, card.rules.today);
const withCard = (change: (card: ModelCard) => Partial<ModelCard>) =>
  assign(({ context }: { context: EntryContext }) => ({ side: { ...cardOf(context), ...change(cardOf(context)) } }));
const always = () => true;

/** The keypad's buffer effects on the immutable card: each returns a new `side`. */
const modelActions = {
  storePanDigit: assign(({ context }: { context: EntryContext }, params: { digit: number }) =>
    ({ side: { ...cardOf(context), pan: cardOf(context).pan + String(params.digit) } })),
  dropPanDigit: withCard((card) => ({ pan: card.pan.slice(0, -1) })),
  clearPan: withCard(() => ({ pan: '' })),
  storeExpiryDigit: assign(({ context }: { context: EntryContext }, params: { digit: number }) =>
    ({ side: { ...cardOf(context), expiry: cardOf(context).expiry + String(params.digit) } })),
  dropExpiryDigit: withCard((card) => ({ expiry: card.expiry.slice(0, -1) })),
  clearExpiry: withCard(() => ({ expiry: '' })),
  acceptPan: withCard((card) => ({
    brand: detectBrand(card.pan),
    last: card.pan.slice(card.pan.length - Math.min(card.rules.reveal, card.pan.length)),
  })),
  wipeCard: withCard(() => ({ pan: '', expiry: '' })),
};

/** The same statechart both ends run, with the abstract card's implementations. */
export const modelMachine = entryStatechart.provide({
  guards: {
    panDigitAdded: ({ context }) => context.panDigits < PAN_MAX_DIGITS,
    panFull: always,
    panDigitRemoved: always,
    panCleared: always,
    panTooShort: ({ context }) => context.panDigits < PAN_MIN_DIGITS,
    panInvalidLast: ({ context }) => context.invalidAttempts + 1 >= MAX_INVALID_PAN_ATTEMPTS && !luhn(cardOf(context).pan),
    panInvalid: ({ context }) => !luhn(cardOf(context).pan),
    brandRefused: ({ context }) => !isBrandAccepted(detectBrand(cardOf(context).pan), cardOf(context).rules.acceptedBrands),
    panToExpiry: ({ context }) => context.expiryRequired,
    panToProcessing: always,
    expiryDigitAdded: ({ context }) => context.expiryDigits < EXPIRY_DIGITS,
    expiryFull: always,
    expiryDigitRemoved: always,
    expiryCleared: always,
    expiryMalformed: ({ context }) => expiryCheck(cardOf(context)) === 'invalid',
    expiryPassed: ({ context }) => expiryCheck(cardOf(context)) === 'expired',
    expiryAccepted: always,
    cancelKey: always,
  },
  // assign() built outside setup() is typed for any event; the statechart's events are a subset (one cast here).
  actions: modelActions as NonNullable<Parameters<typeof entryStatechart.provide>[0]['actions']>,
  actors: { encryptCard: encryptNever },
});

// ---- the key alphabet ---------------------------------------------------------------------------------------

/**
 * One step of a path. `next`: the card's next digit; `rest`: the rest of the open field's digits (a run of
 * `next`, typed as fast as the keys go, so DIGIT reports may merge); `wrong`: a digit that is not the card's
 * next (or one past the card); `overflow`: digits past the PAN's maximum (the last one raises PAN_TOO_LONG).
 * `encrypt.*`: the keypad's encryptor settles (keypad-only runs; on the wire it settles at once).
 */
export type ModelEvent =
  | { type: 'next' } | { type: 'rest' } | { type: 'wrong' } | { type: 'overflow' }
  | { type: 'backspace' } | { type: 'clear' } | { type: 'enter' } | { type: 'cancel' }
  | { type: 'host.cancel' } | { type: 'inactivity' } | { type: 'sessionCap' }
  | { type: 'encrypt.done' } | { type: 'encrypt.error'; code: 'KEY_EXHAUSTED' | 'INTERNAL' };

export const STUB_RESULT: EntryResult = {
  brand: 'unknown', last: '', keySerialNumber: new Uint8Array(12), encryptedBlock: new Uint8Array(32),
};

/** The open field's typed digits and the card's. */
function fieldOf(snapshot: EntrySnapshot): { typed: string; target: string; max: number } | undefined {
  const card = cardOf(snapshot.context);
  switch (snapshot.context.field) {
    case 'PAN': return { typed: card.pan, target: card.rules.pan, max: PAN_MAX_DIGITS };
    case 'EXPIRY': return { typed: card.expiry, target: card.rules.expiry, max: EXPIRY_DIGITS };
    default: return undefined;
  }
}

/** A digit other than `digit` (or '0' past the card). */
const otherDigit = (digit: string | undefined) => (digit === undefined ? '0' : String((Number(digit) + 1) % 10));

/** The keys a key step presses in `snapshot`; [] for a step that is no key. */
export function keysOf(snapshot: EntrySnapshot, event: ModelEvent): KeypadKey[] {
  const field = fieldOf(snapshot);
  switch (event.type) {
    case 'next': return field ? [field.target[field.typed.length] as KeypadKey] : [];
    case 'rest': return field ? [...field.target.slice(field.typed.length)] as KeypadKey[] : [];
    case 'wrong': return field ? [otherDigit(field.target[field.typed.length]) as KeypadKey] : [];
    case 'overflow': return field ? Array.from({ length: field.max + 1 - field.typed.length }, () => '0' as KeypadKey) : [];
    case 'backspace': case 'clear': case 'enter': case 'cancel': return [event.type];
    default: return [];
  }
}

const KEY_EVENTS: Record<KeypadKey, EntryEvent> = {
  backspace: { type: 'key.backspace' }, clear: { type: 'key.clear' }, enter: { type: 'key.enter' }, cancel: { type: 'key.cancel' },
  ...Object.fromEntries(Array.from({ length: 10 }, (_, d) => [String(d), { type: 'key.digit', digit: d }])),
} as Record<KeypadKey, EntryEvent>;

export const keyEvent = (key: KeypadKey): EntryEvent => KEY_EVENTS[key];

/** The statechart's events a non-key step sends. */
function otherEvents(event: ModelEvent): EventObject[] {
  switch (event.type) {
    case 'host.cancel': return [{ type: 'host.cancel' }];
    case 'inactivity': return [{ type: 'timeout.inactivity' }];
    case 'sessionCap': return [{ type: 'timeout.sessionCap' }];
    case 'encrypt.done': return [{ type: 'xstate.done.actor.encryptCard', output: STUB_RESULT, actorId: 'encryptCard' } as EventObject];
    case 'encrypt.error': return [{ type: 'xstate.error.actor.encryptCard', error: { code: event.code }, actorId: 'encryptCard' } as EventObject];
    default: return [];
  }
}

export interface ModelOptions {
  /** The encryptor settles with a result as soon as PROCESSING is entered (what the wire shows). */
  encryptAtOnce: boolean;
  /** Steps from the start at which the traversal stops. */
  depth: number;
  /** Keypad-only: offer the PAN overflow (20 key presses). */
  overflow?: boolean;
}

export interface ModelInput {
  rules: ModelRules;
  expiryRequired: boolean;
  inactivityTimeoutS: number;
}

type Scope = ActorScope<EntrySnapshot, EntryEvent>;

/** The statechart's transition for one machine event, then the encryptor's result when it settles at once. */
function step(snapshot: EntrySnapshot, event: EventObject, scope: Scope, options: ModelOptions): EntrySnapshot {
  let next = modelMachine.transition(snapshot, event as EntryEvent, scope);
  if (options.encryptAtOnce && next.status === 'active' && next.value === 'processing') {
    next = modelMachine.transition(next, otherEvents({ type: 'encrypt.done' })[0] as EntryEvent, scope);
  }
  return next;
}

export interface EntryModel {
  logic: ActorLogic<EntrySnapshot, ModelEvent, ModelInput>;
  /** The events offered in a snapshot (none past the depth). */
  events(snapshot: EntrySnapshot): ModelEvent[];
  serializeState(snapshot: EntrySnapshot, event: ModelEvent | undefined, previous?: EntrySnapshot): string;
  /** The model after each key of a key step, for per-key checks; the last is the step's state. */
  statesPerKey(snapshot: EntrySnapshot, event: ModelEvent): EntrySnapshot[];
}

export function entryModel(options: ModelOptions): EntryModel {
  const depth = new WeakMap<EntrySnapshot, number>();
  let lastScope: Scope | undefined;
  const apply = (snapshot: EntrySnapshot, event: ModelEvent, scope: Scope): EntrySnapshot[] => {
    const states: EntrySnapshot[] = [];
    let s = snapshot;
    for (const key of keysOf(snapshot, event)) states.push(s = step(s, keyEvent(key), scope, options));
    for (const e of otherEvents(event)) states.push(s = step(s, e, scope, options));
    return states;
  };
  const logic: ActorLogic<EntrySnapshot, ModelEvent, ModelInput> = {
    transition: (snapshot, event, scope) => {
      lastScope = scope as unknown as Scope;
      const next = apply(snapshot, event, lastScope).at(-1) ?? snapshot;
      depth.set(next, (depth.get(snapshot) ?? 0) + 1);
      return next;
    },
    getInitialSnapshot: (scope, input) => {
      lastScope = scope as unknown as Scope;
      const card: ModelCard = { rules: input.rules, pan: '', expiry: '', brand: null, last: '' };
      const initial = modelMachine.getInitialSnapshot(lastScope as never, {
        sessionId: 1, inactivityTimeoutS: input.inactivityTimeoutS, reveal: input.rules.reveal,
        expiryRequired: input.expiryRequired, side: card,
      });
      // The keypad starts the machine and sends `start` at once (entry-session.ts): the PAN field is open.
      const started = modelMachine.transition(initial, { type: 'start' }, lastScope);
      depth.set(started, 0);
      return started;
    },
    getPersistedSnapshot: (snapshot) => modelMachine.getPersistedSnapshot(snapshot),
  };

  const events = (snapshot: EntrySnapshot): ModelEvent[] => {
    if (snapshot.status !== 'active' || (depth.get(snapshot) ?? 0) >= options.depth) return [];
    const field = fieldOf(snapshot);
    const ends: ModelEvent[] = [{ type: 'cancel' }, { type: 'host.cancel' }, { type: 'sessionCap' }];
    if (field === undefined) {
      // PROCESSING (keypad-only): the encryptor settles, or the entry ends meanwhile; keys but cancel do nothing.
      return [{ type: 'encrypt.done' }, { type: 'encrypt.error', code: 'KEY_EXHAUSTED' }, { type: 'encrypt.error', code: 'INTERNAL' }, { type: 'enter' }, ...ends];
    }
    const { typed, target, max } = field;
    const onCard = target.startsWith(typed);
    const isPan = snapshot.context.field === 'PAN';
    const offered: ModelEvent[] = [];
    if (onCard && typed.length < target.length) offered.push({ type: 'next' });
    if (onCard && typed.length < target.length - 1) offered.push({ type: 'rest' });
    // A wrong digit only on the card's track (so the field never holds two), and past the full expiry (ignored).
    if (onCard && (typed.length < max || !isPan)) offered.push({ type: 'wrong' });
    if (options.overflow && isPan && typed === target) offered.push({ type: 'overflow' });
    offered.push({ type: 'backspace' }, { type: 'clear' }, { type: 'enter' }, { type: 'cancel' }, { type: 'host.cancel' }, { type: 'inactivity' });
    // The cap once a key came: before any, the keypad's inactivity timer (at most the cap) would tie it.
    if (depth.get(snapshot) !== 0) offered.push({ type: 'sessionCap' });
    return offered;
  };

  const fieldClass = (typed: string, target: string) => {
    let same = 0;
    while (same < typed.length && typed[same] === target[same]) same++;
    return same === typed.length ? `${typed.length}` : `${typed.length}x${same}`;
  };

  /**
   * A key that leaves its field as it was found elsewhere (CLEAR; a digit the full expiry ignores) would lead to a
   * state already met, so no shortest path would take it: the state after it is one of its own.
   */
  const reachedBy = (event: ModelEvent | undefined, previous: EntrySnapshot | undefined): string => {
    if (event?.type === 'clear') return 'after clear';
    const full = previous !== undefined && previous.context.field === 'EXPIRY' && previous.context.expiryDigits === EXPIRY_DIGITS;
    return event?.type === 'wrong' && full ? 'after an ignored digit' : '';
  };

  const serializeState = (snapshot: EntrySnapshot, event: ModelEvent | undefined, previous?: EntrySnapshot): string => {
    const c = snapshot.context;
    const card = cardOf(c);
    if (snapshot.status !== 'active') {
      // A final state: by its outcome and the state it ended from (every way out of every state gets a path).
      return JSON.stringify([describeOutput(snapshot.output), previous ? toEntryState(previous) : '', previous?.context.notice]);
    }
    return JSON.stringify([
      snapshot.value, c.field, c.notice, c.invalidAttempts,
      fieldClass(card.pan, card.rules.pan), fieldClass(card.expiry, card.rules.expiry), reachedBy(event, previous),
    ]);
  };

  return {
    logic, events, serializeState,
    statesPerKey: (snapshot, event) => apply(snapshot, event, lastScope!),
  };
}

/** An outcome in words (never digits: a result is named by its brand only). */
export function describeOutput(output: EntryOutput | undefined): string {
  if (output === undefined) return '';
  switch (output.outcome) {
    case 'done': return 'done';
    case 'timeout': return `timeout (${output.reason})`;
    case 'cancelled': return `cancelled by ${output.by}`;
    case 'failed': return `failed ${output.code}`;
    default: return output.outcome;
  }
}

/** A step's name in a test title. */
export function describeStep(event: ModelEvent): string {
  return event.type === 'encrypt.error' ? `encrypt.error(${event.code})` : event.type;
}

/** Every shortest path of the model from `input`: what both model tests walk. */
export function modelPaths(model: EntryModel, input: ModelInput): Array<StatePath<EntrySnapshot, ModelEvent>> {
  return getShortestPaths(model.logic, {
    input,
    events: model.events,
    serializeState: model.serializeState,
    serializeEvent: (event) => JSON.stringify(event),
  });
}

/** A path's test title: its steps by name (never digits) and where it ends. */
export function pathTitle(path: StatePath<EntrySnapshot, ModelEvent>): string {
  const steps = path.steps.filter(({ event }) => (event.type as string) !== 'xstate.init').map(({ event }) => describeStep(event));
  const end = path.state.status === 'active' ? String(JSON.stringify(path.state.value)) : describeOutput(path.state.output);
  return `${steps.join(' → ') || '(start)'} ⇒ ${end}`;
}
