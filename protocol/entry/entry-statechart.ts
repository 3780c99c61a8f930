/**
 * The entry statechart of PROTOCOL.md §9: one xstate machine that both ends of the wire run. The keypad drives it
 * with its keys and timers and supplies the card-side implementations (digit buffers, Luhn, brand, expiry,
 * encryption) with `provide()`; the host driver drives the same machine with the keypad's reports (each KEY as the
 * key event of its class carrying the report, each STATUS, RESULT and ERROR) and supplies guards that read those
 * reports. The chart names every guard, action and actor; its own fields hold digit counts only (the keypad's card
 * buffers sit in the opaque `side` slot, which never leaves the keypad) and it reads no clock.
 *
 * Decisions:
 * - Card digits never enter the shared context: it keeps counts only. The running side's per-session object sits in
 *   the opaque `side` slot and the provided implementations reach it there, because xstate guards see only context
 *   and event, and one provide() per session would cost more than the whole entry. The driver's slot holds nothing
 *   of the card; the keypad's holds its buffers.
 * - Timers are events (`timeout.inactivity`, `timeout.sessionCap`), sent by the side that owns a clock: the keypad
 *   arms one lazy timer per entry instead of cancelling and re-arming a delayed event on every key, and the driver
 *   never ends an entry by a timer of its own (its guard on a silent keypad is `host.abandon`).
 * - Each key transition's guard says what the key did. The keypad decides from its buffers; the driver reads the
 *   KEY report on the event (`panTooShort` = the report says PAN_TOO_SHORT). An ENTER that leaves the fields reports
 *   the same whether it completed the entry or ended it (INVALID_CARD, UNSUPPORTED_BRAND, EXPIRED_CARD), so the
 *   driver goes on to `processing` and the ERROR that follows ends it there.
 * - A KEY or STATUS report may be lost on a live line (§6.4) and DIGIT reports may be merged (§5.11): a report that
 *   names a later field or state than the driver's moves it there first (`catch up`). A report no transition can
 *   take (a field or state the entry cannot be in, going back from EXPIRY to PAN, …) ends the entry `outOfStep`:
 *   the driver never resynchronises silently.
 * - `ending` (driver only): the final STATUS came, its RESULT or ERROR is expected; a second final STATUS means it
 *   was lost (§9.7). The keypad goes straight to its final state.
 * - Both ends run it on every key and report, so it is shaped for xstate's cost per event (each assign copies the
 *   context and rebuilds the snapshot; each state level, action and microstep adds to every step): at most one
 *   assign per transition and none in state entries, flat states, named events rather than '*', no
 *   enqueueActions, and `raise` only on the catch-up path. bench/entry-statechart-cost.ts measures it.
 */
import {
  and, assign, fromPromise, fromTransition, not, setup, type ActorRefFrom, type PromiseActorLogic, type SnapshotFrom,
} from 'xstate';
import { MAX_INVALID_PAN_ATTEMPTS, PAN_MAX_DIGITS } from '../constants.js';
import type {
  Brand, DeviceErrorName, EntryFieldName, EntryNoticeName, EntryStateName, KeyClassName,
} from '../messages.js';

/** Digits of an expiry, MMYY. */
export const EXPIRY_DIGITS = 4;

/** What a KEY report says: the key's class and the entry after it (§5.11). */
export interface KeyReport {
  keyClass: KeyClassName;
  field: EntryFieldName;
  digits: number;
  notice: EntryNoticeName;
}
/** What a STATUS report says of the entry (§5.10), minus the session id and time left. */
export interface StateReport {
  state: EntryStateName;
  field: EntryFieldName;
  digits: number;
  notice: EntryNoticeName;
}

/** A finished entry: brand and last digits in the clear, the card encrypted. */
export interface EntryResult {
  brand: Brand;
  /** At most `reveal` last PAN digits, ASCII. */
  last: string;
  keySerialNumber: Uint8Array;
  encryptedBlock: Uint8Array;
}
/** An encryptCard rejection whose `code` is 'KEY_EXHAUSTED' ends in KEY_EXHAUSTED; anything else in INTERNAL. */
export interface EncryptCardFailure { code?: unknown }

export type CancelledBy = 'keypad' | 'host';
export type TimeoutReason = 'inactivity' | 'sessionCap';
/** The final states; `host.abandon` names one. */
export type EntryEndState = 'done' | 'timeout' | 'cancelled' | 'failed';
/**
 * How an entry ended. `detail` is the device's ERROR text when the end was reported (driver). `outOfStep`: a report
 * the statechart cannot take; `lost`: §9.7's lost RESULT or ERROR; `abandoned`: ended from outside the protocol
 * (the driver's guard, a lost link, close()), `cause` being the side's own.
 */
export type EntryOutput =
  | { outcome: 'done'; result: EntryResult }
  | { outcome: 'timeout'; reason: TimeoutReason; detail?: string }
  | { outcome: 'cancelled'; by: CancelledBy; detail?: string }
  | { outcome: 'failed'; code: DeviceErrorName; detail?: string }
  | { outcome: 'outOfStep'; detail: string }
  | { outcome: 'lost'; detail: string }
  | { outcome: 'abandoned'; cause: unknown };

/** What starts an entry (START_ENTRY, resolved). */
export interface EntryStatechartInput {
  sessionId: number;
  inactivityTimeoutS: number;
  reveal: number;
  expiryRequired: boolean;
  /** The running side's per-session object; see the header. */
  side?: unknown;
}

export interface EntryContext {
  sessionId: number;
  inactivityTimeoutS: number;
  reveal: number;
  expiryRequired: boolean;
  /** Digit counts, never digits. */
  panDigits: number;
  expiryDigits: number;
  field: EntryFieldName;
  /** Notice raised by the last key (NONE after any key that raised none). */
  notice: EntryNoticeName;
  invalidAttempts: number;
  /** Driver: the final STATUS came (state `ending`): which one. */
  endedAs: EntryStateName | null;
  /** Driver: a GET_STATUS was sent and no STATUS has come since. */
  probing: boolean;
  /** Driver: a GET_STATUS was sent during this entry. */
  probed: boolean;
  /** Set on the transition into a final state; the machine's output. */
  outcome: EntryOutput | null;
  /** Opaque to the statechart: the running side's per-session object (see the header). */
  side: unknown;
}

type KeyEventOf<T extends string> = { type: T; digit?: number; report?: KeyReport };
export type EntryKeyEvent =
  | KeyEventOf<'key.digit'> | KeyEventOf<'key.backspace'> | KeyEventOf<'key.clear'> | KeyEventOf<'key.enter'>
  | KeyEventOf<'key.cancel'>;

export type EntryEvent =
  /** Keypad: START_ENTRY accepted (the PAN field opens). */
  | { type: 'start' }
  /** A key: on the keypad with its digit, on the driver with the KEY report. */
  | EntryKeyEvent
  | { type: 'timeout.inactivity' }
  | { type: 'timeout.sessionCap' }
  /** Keypad: the host's CANCEL. */
  | { type: 'host.cancel' }
  /** Ended from outside the protocol, in the final state named (driver: its guard, a lost link, cancel, close). */
  | { type: 'host.abandon'; state: EntryEndState; cause: unknown }
  /** Driver: the keypad's reports of this session. */
  | { type: 'report.status'; report: StateReport }
  | { type: 'report.result'; result: EntryResult }
  | { type: 'report.error'; code: DeviceErrorName; detail: string }
  /** Driver: a STATUS that names no session or another one (§9.7). */
  | { type: 'report.otherStatus'; state: EntryStateName; sessionId: number }
  /** Driver: nothing about the session for a while; ask GET_STATUS. */
  | { type: 'probe' };

const FINAL_STATES: ReadonlySet<EntryStateName> = new Set(['DONE', 'TIMEOUT', 'CANCELLED', 'FAILED']);
/** The field a STATUS of each state carries (§5.10). */
const FIELD_OF: Partial<Record<EntryStateName, EntryFieldName>> = { PAN: 'PAN', EXPIRY: 'EXPIRY' };

/** How many digits the open field holds (0 when none is open): what a KEY or STATUS report says. */
export function digitsIn(context: Pick<EntryContext, 'field' | 'panDigits' | 'expiryDigits'>): number {
  return context.field === 'PAN' ? context.panDigits : context.field === 'EXPIRY' ? context.expiryDigits : 0;
}

/** The KEY report a key event carries on the driver; undefined on the keypad, whose keys carry none. */
export function reportOf(event: EntryEvent): KeyReport | undefined {
  return (event as { report?: KeyReport }).report;
}

function statusOf(event: EntryEvent): StateReport | undefined {
  return event.type === 'report.status' ? event.report : undefined;
}

/** A STATUS whose field fits its state. */
function statusIs(event: EntryEvent, state: EntryStateName | 'final'): boolean {
  const report = statusOf(event);
  if (report === undefined) return false;
  if (state === 'final' ? !FINAL_STATES.has(report.state) : report.state !== state) return false;
  return report.field === (FIELD_OF[report.state] ?? 'NONE');
}

/** Count after a key: what its report says (driver), else what the key does (keypad). */
function countAfter(event: EntryEvent, keypadCount: number): number {
  return reportOf(event)?.digits ?? keypadCount;
}

function encryptFailureCode(error: unknown): DeviceErrorName {
  const code = typeof error === 'object' && error !== null ? (error as EncryptCardFailure).code : undefined;
  return code === 'KEY_EXHAUSTED' ? 'KEY_EXHAUSTED' : 'INTERNAL';
}

/** A short text of a report for an `outOfStep` detail (counts and names only). */
export function describeEntryEvent(event: EntryEvent): string {
  switch (event.type) {
    case 'report.status': {
      const r = event.report;
      return `STATUS ${r.state} field=${r.field} digits=${r.digits} notice=${r.notice}`;
    }
    case 'report.result': return 'RESULT';
    case 'report.error': return `ERROR ${event.code}`;
    case 'report.otherStatus': return `STATUS ${event.state} for session ${event.sessionId}`;
    default: {
      const r = reportOf(event);
      return r === undefined ? event.type : `KEY ${r.keyClass} field=${r.field} digits=${r.digits} notice=${r.notice}`;
    }
  }
}

function isReport(event: EntryEvent): boolean {
  return event.type.startsWith('report.') || reportOf(event) !== undefined;
}

/** What the key just did, by the reading of the side running the machine. The defaults refuse: provide them. */
const never = () => false;

/**
 * An encryptCard that never settles: the driver's (the keypad's RESULT or ERROR ends the entry). A transition
 * actor that ignores everything, not a promise actor: it needs no promise and no AbortController per entry.
 */
export const encryptNever = fromTransition((state: undefined) => state, undefined) as unknown as PromiseActorLogic<EntryResult, unknown>;

export const entrySetup = setup({
  types: {
    context: {} as EntryContext,
    events: {} as EntryEvent,
    input: {} as EntryStatechartInput,
    output: {} as EntryOutput,
  },
  guards: {
    // Provided by each side (keypad: its buffers; driver: the KEY report on the event).
    panFull: never,
    panDigitAdded: never,
    panDigitRemoved: never,
    panCleared: never,
    panTooShort: never,
    /** Fails Luhn on the last allowed attempt: the entry ends INVALID_CARD. */
    panInvalidLast: never,
    /** Fails Luhn: the field is cleared, notice INVALID_PAN. */
    panInvalid: never,
    brandRefused: never,
    panToExpiry: never,
    panToProcessing: never,
    expiryFull: never,
    expiryDigitAdded: never,
    expiryDigitRemoved: never,
    expiryCleared: never,
    expiryMalformed: never,
    expiryPassed: never,
    expiryAccepted: never,
    cancelKey: never,
    // Shared: they read only the context and the reports the driver sends (the keypad sends none).
    expiryRequired: ({ context }) => context.expiryRequired,
    hasReport: ({ event }) => reportOf(event) !== undefined,
    isReport: ({ event }) => isReport(event),
    /** A KEY report of an open field later than the state's own (earlier reports were lost). */
    keyInExpiry: ({ context, event }) => context.expiryRequired && reportOf(event)?.field === 'EXPIRY',
    statusIs: ({ event }, params: { state: EntryStateName | 'final' }) => statusIs(event, params.state),
    statusInExpiry: ({ context, event }) => context.expiryRequired && statusIs(event, 'EXPIRY'),
    endedAs: ({ context }, params: { state: EntryStateName }) => context.endedAs === params.state,
    errorIs: ({ event }, params: { codes: readonly DeviceErrorName[] }) =>
      event.type === 'report.error' && params.codes.includes(event.code),
    /** The ERROR agrees with the final STATUS before it. */
    errorFitsEnd: ({ context, event }) => event.type === 'report.error' && context.endedAs === endStateOfError(event.code),
    probed: ({ context }) => context.probed,
    /** A final STATUS while our GET_STATUS is unanswered: it may be the answer. */
    finalWhileProbing: ({ context, event }) => context.probing && statusIs(event, 'final'),
    abandonAs: ({ event }, params: { state: EntryEndState }) => event.type === 'host.abandon' && event.state === params.state,
  },
  actions: {
    /** Keypad: a KEY report for the key just applied. */
    reportKey: (_, _params: KeyReport) => {},
    /** Keypad: a STATUS for the state just entered. */
    reportState: (_, _params: StateReport) => {},
    /** Keypad: card-buffer effects. */
    storePanDigit: (_, _params: { digit: number }) => {},
    dropPanDigit: () => {},
    clearPan: () => {},
    storeExpiryDigit: (_, _params: { digit: number }) => {},
    dropExpiryDigit: () => {},
    clearExpiry: () => {},
    /** Keypad: the accepted number's brand and last digits are known. */
    acceptPan: () => {},
    /** Keypad: zero every buffer holding card digits. */
    wipeCard: () => {},
    /** Driver: send GET_STATUS (§9.7). */
    askStatus: () => {},
  },
  actors: {
    /** Keypad: encrypts the card in `side`. The default refuses: a side without crypto must never produce a result. */
    encryptCard: fromPromise<EntryResult, unknown>(async () => {
      throw Object.assign(new Error('encryptCard not provided'), { code: 'INTERNAL' });
    }),
  },
});

function endStateOfError(code: DeviceErrorName): EntryStateName {
  switch (code) {
    case 'CANCELLED': return 'CANCELLED';
    case 'TIMEOUT': case 'SESSION_LIMIT': return 'TIMEOUT';
    default: return 'FAILED';
  }
}

// ---- actions built from the names above ---------------------------------------------------------------------

const reportKey = (keyClass: KeyClassName) => ({
  type: 'reportKey',
  params: ({ context }: { context: EntryContext }): KeyReport => ({
    keyClass,
    field: context.field,
    digits: digitsIn(context),
    notice: context.notice,
  }),
}) as const;

const reportState = (state: EntryStateName) => ({
  type: 'reportState',
  params: ({ context }: { context: EntryContext }): StateReport => ({
    state,
    field: context.field,
    digits: digitsIn(context),
    notice: context.notice,
  }),
}) as const;

const digitOf = ({ event }: { event: EntryEvent }) => ({ digit: (event as { digit?: number }).digit ?? 0 });

/** Re-sends a report after catching up, so the state it names takes it. */
const again = entrySetup.raise(({ event }: { event: EntryEvent }) => event);

const finish = (outcome: EntryOutput) => entrySetup.assign({ outcome, field: 'NONE' as const, notice: 'NONE' as const });

/** A STATUS's view of the open field (counts from the STATUS are the newest: it follows every earlier KEY). */
const takeStatus = entrySetup.assign(({ context, event }: { context: EntryContext; event: EntryEvent }) => {
  const report = statusOf(event);
  if (report === undefined) return {};
  const field = report.field;
  return {
    field,
    notice: report.notice,
    panDigits: field === 'PAN' ? report.digits : context.panDigits,
    expiryDigits: field === 'EXPIRY' ? report.digits : field === 'PAN' ? 0 : context.expiryDigits,
    probing: false,
  };
});

/** A STATUS that enters `processing`, which shows no notice. */
const takeStatusIntoProcessing = entrySetup.assign(({ context, event }: { context: EntryContext; event: EntryEvent }) => {
  const report = statusOf(event);
  if (report === undefined) return {};
  return {
    field: report.field,
    notice: 'NONE' as const,
    panDigits: report.field === 'PAN' ? report.digits : context.panDigits,
    expiryDigits: report.field === 'EXPIRY' ? report.digits : report.field === 'PAN' ? 0 : context.expiryDigits,
    probing: false,
  };
});

/** The final STATUS: the RESULT or ERROR comes next. */
const takeFinalStatus = entrySetup.assign(({ event }: { event: EntryEvent }) => ({
  endedAs: statusOf(event)?.state ?? null, probing: false, field: 'NONE' as const, notice: 'NONE' as const,
}));

const outOfStep = entrySetup.assign(({ context, event }: { context: EntryContext; event: EntryEvent }) => ({
  outcome: { outcome: 'outOfStep' as const, detail: `${describeEntryEvent(event)} while the entry is at field ${context.field}` },
  field: 'NONE' as const,
  notice: 'NONE' as const,
}));

const errorOutcome = (as: 'timeout' | 'cancelled' | 'failed') => entrySetup.assign(({ event }: { event: EntryEvent }) => {
  if (event.type !== 'report.error') return {};
  const { code, detail } = event;
  const outcome: EntryOutput = as === 'cancelled' ? { outcome: 'cancelled', by: 'keypad', detail }
    : as === 'timeout' ? { outcome: 'timeout', reason: code === 'SESSION_LIMIT' ? 'sessionCap' : 'inactivity', detail }
      : { outcome: 'failed', code, detail };
  return { outcome, field: 'NONE' as const, notice: 'NONE' as const };
});

/** ERROR for this session: its code names the final state. */
const onError = [
  { guard: { type: 'errorIs', params: { codes: ['CANCELLED'] } }, target: '#entry.cancelled', actions: errorOutcome('cancelled') },
  { guard: { type: 'errorIs', params: { codes: ['TIMEOUT', 'SESSION_LIMIT'] } }, target: '#entry.timeout', actions: errorOutcome('timeout') },
  { target: '#entry.failed', actions: errorOutcome('failed') },
] as const;

const onResult = {
  target: '#entry.done',
  actions: entrySetup.assign(({ event }: { event: EntryEvent }) => (event.type === 'report.result'
    ? { outcome: { outcome: 'done' as const, result: event.result }, field: 'NONE' as const, notice: 'NONE' as const } : {})),
} as const;

/** The final STATUS; asked again at once when it may be the answer to our GET_STATUS (§9.7). */
const toEnding = [
  { guard: 'finalWhileProbing', target: '#entry.ending', actions: ['askStatus', takeFinalStatus] },
  { guard: { type: 'statusIs', params: { state: 'final' } }, target: '#entry.ending', actions: takeFinalStatus },
] as const;

/** A STATUS of the processing state: the transition into `processing` from a field or from `starting`. */
const toProcessingByStatus = { guard: { type: 'statusIs', params: { state: 'PROCESSING' } }, target: '#entry.processing', actions: takeStatusIntoProcessing } as const;

/**
 * No state's entry assigns: the transition into a field opens it in its own single assign (one context copy per
 * event), and every transition into `processing` or a final state leaves field and notice at NONE.
 */
const openField = (field: 'PAN' | 'EXPIRY') => entrySetup.assign({ field });

/** A key before the PAN's STATUS: that STATUS was lost; the PAN field opens and takes the key. */
const keyBeforePan = { guard: 'hasReport', target: 'pan', actions: [openField('PAN'), again] } as const;

/**
 * The cancel key. The keypad's entry ends at once; the driver, told by the KEY report, waits in `cancelling` for the
 * final STATUS and ERROR CANCELLED that end every entry (§9.3: an entry ends with its RESULT or ERROR).
 */
const cancelKeyTransitions = [
  { guard: and(['hasReport', 'cancelKey']), target: '#entry.cancelling', actions: entrySetup.assign({ field: 'NONE' as const, notice: 'NONE' as const }) },
  { guard: 'cancelKey', target: '#entry.cancelled', actions: [finish({ outcome: 'cancelled', by: 'keypad' }), reportKey('CANCEL')] },
] as const;

/**
 * What either open field (PAN, EXPIRY) takes besides its keys. The fields are siblings of the other states, not
 * children of a compound `entering` state: one level less on every key (xstate recomputes the state value on
 * every context change).
 */
const inField = {
  'key.cancel': cancelKeyTransitions,
  'timeout.inactivity': { target: 'timeout', actions: finish({ outcome: 'timeout', reason: 'inactivity' }) },
} as const;

/** A report the statechart cannot take (the keypad's own events carry no report and are ignored). */
const outOfStepReport = { guard: 'isReport', target: '.failed', actions: outOfStep } as const;

/** A key that only raised a notice; the driver still takes the report's count (a KEY before it may have been lost). */
const noticeInPan = (notice: EntryNoticeName) => entrySetup.assign({
  notice, panDigits: ({ context, event }: { context: EntryContext; event: EntryEvent }) => countAfter(event, context.panDigits),
});
const noticeInExpiry = (notice: EntryNoticeName) => entrySetup.assign({
  notice, expiryDigits: ({ context, event }: { context: EntryContext; event: EntryEvent }) => countAfter(event, context.expiryDigits),
});

const abandon = entrySetup.assign(({ event }: { event: EntryEvent }) => (event.type === 'host.abandon'
  ? { outcome: { outcome: 'abandoned' as const, cause: event.cause }, field: 'NONE' as const, notice: 'NONE' as const } : {}));

export const entryStatechart = entrySetup.createMachine({
  id: 'entry',
  context: ({ input }) => ({
    sessionId: input.sessionId,
    inactivityTimeoutS: input.inactivityTimeoutS,
    reveal: input.reveal,
    expiryRequired: input.expiryRequired,
    panDigits: 0,
    expiryDigits: 0,
    field: 'NONE',
    notice: 'NONE',
    invalidAttempts: 0,
    endedAs: null,
    probing: false,
    probed: false,
    outcome: null,
    side: input.side,
  }),
  // Runs when a final state is reached.
  exit: 'wipeCard',
  output: ({ context }) => context.outcome ?? { outcome: 'failed', code: 'INTERNAL' },
  initial: 'starting',
  on: {
    'host.cancel': { target: '.cancelled', actions: finish({ outcome: 'cancelled', by: 'host' }) },
    'host.abandon': [
      { guard: { type: 'abandonAs', params: { state: 'cancelled' } }, target: '.cancelled', actions: abandon },
      { guard: { type: 'abandonAs', params: { state: 'timeout' } }, target: '.timeout', actions: abandon },
      { target: '.failed', actions: abandon },
    ],
    'timeout.sessionCap': { target: '.timeout', actions: finish({ outcome: 'timeout', reason: 'sessionCap' }) },
    // The RESULT or ERROR ends the entry wherever the driver thinks it is (the reports before it may be lost).
    'report.result': onResult,
    'report.error': onError,
    'report.otherStatus': [
      // Only an answer to our GET_STATUS says IDLE or names another session: the keypad has no entry of ours.
      {
        guard: 'probed',
        target: '.failed',
        actions: entrySetup.assign(({ event }) => ({
          outcome: { outcome: 'lost' as const, detail: event.type === 'report.otherStatus' ? `keypad reports ${event.state} for session ${event.sessionId}` : '' },
          field: 'NONE' as const,
        })),
      },
      {},
    ],
    probe: { actions: [entrySetup.assign({ probing: true, probed: true }), 'askStatus'] },
    // Anything else a device reports that no state took is out of step; a keypad's own stray key is ignored.
    // (Named events, not '*', which xstate matches against every event: RESULT, ERROR and other sessions' STATUS
    // are taken above in every state.)
    'report.status': outOfStepReport,
    'key.digit': outOfStepReport,
    'key.backspace': outOfStepReport,
    'key.clear': outOfStepReport,
    'key.enter': outOfStepReport,
    'key.cancel': outOfStepReport,
  },
  states: {
    starting: {
      on: {
        start: { target: 'pan', actions: openField('PAN') },
        'report.status': [
          { guard: { type: 'statusIs', params: { state: 'PAN' } }, target: 'pan', actions: takeStatus },
          { guard: 'statusInExpiry', target: 'expiry', actions: takeStatus },
          toProcessingByStatus,
          ...toEnding,
        ],
        'key.digit': keyBeforePan,
        'key.backspace': keyBeforePan,
        'key.clear': keyBeforePan,
        'key.enter': keyBeforePan,
        'key.cancel': keyBeforePan,
      },
    },
    pan: {
      entry: reportState('PAN'),
      on: {
        ...inField,
        'key.digit': [
          { guard: 'panDigitAdded', actions: [entrySetup.assign({ panDigits: ({ context, event }) => countAfter(event, context.panDigits + 1), notice: 'NONE' }), { type: 'storePanDigit', params: digitOf }, reportKey('DIGIT')] },
          { guard: 'panFull', actions: [noticeInPan('PAN_TOO_LONG'), reportKey('DIGIT')] },
          { guard: 'keyInExpiry', target: 'expiry', actions: [openField('EXPIRY'), again] },
        ],
        'key.backspace': [
          { guard: 'panDigitRemoved', actions: [entrySetup.assign({ panDigits: ({ context, event }) => countAfter(event, Math.max(0, context.panDigits - 1)), notice: 'NONE' }), 'dropPanDigit', reportKey('BACKSPACE')] },
          { guard: 'keyInExpiry', target: 'expiry', actions: [openField('EXPIRY'), again] },
        ],
        'key.clear': [
          { guard: 'panCleared', actions: [entrySetup.assign({ panDigits: 0, notice: 'NONE' }), 'clearPan', reportKey('CLEAR')] },
          { guard: 'keyInExpiry', target: 'expiry', actions: [openField('EXPIRY'), again] },
        ],
        'key.enter': [
          { guard: 'panTooShort', actions: [noticeInPan('PAN_TOO_SHORT'), reportKey('ENTER')] },
          {
            guard: 'panInvalidLast',
            target: '#entry.failed',
            actions: [finish({ outcome: 'failed', code: 'INVALID_CARD' }), reportKey('ENTER')],
          },
          {
            guard: 'panInvalid',
            actions: [
              entrySetup.assign({ invalidAttempts: ({ context }) => context.invalidAttempts + 1, panDigits: 0, notice: 'INVALID_PAN' }),
              'clearPan', reportKey('ENTER'),
            ],
          },
          {
            guard: 'brandRefused',
            target: '#entry.failed',
            actions: ['acceptPan', finish({ outcome: 'failed', code: 'UNSUPPORTED_BRAND' }), reportKey('ENTER')],
          },
          { guard: 'panToExpiry', target: 'expiry', actions: ['acceptPan', entrySetup.assign({ field: 'EXPIRY', notice: 'NONE' }), reportKey('ENTER')] },
          { guard: 'panToProcessing', target: '#entry.processing', actions: ['acceptPan', entrySetup.assign({ field: 'NONE', notice: 'NONE' }), reportKey('ENTER')] },
          { guard: 'keyInExpiry', target: 'expiry', actions: [openField('EXPIRY'), again] },
        ],
        'report.status': [
          { guard: { type: 'statusIs', params: { state: 'PAN' } }, actions: takeStatus },
          { guard: 'statusInExpiry', target: 'expiry', actions: takeStatus },
          toProcessingByStatus,
          ...toEnding,
        ],
      },
    },
    expiry: {
      entry: reportState('EXPIRY'),
      on: {
        ...inField,
        'key.digit': [
          { guard: 'expiryDigitAdded', actions: [entrySetup.assign({ expiryDigits: ({ context, event }) => countAfter(event, context.expiryDigits + 1), notice: 'NONE' }), { type: 'storeExpiryDigit', params: digitOf }, reportKey('DIGIT')] },
          { guard: 'expiryFull', actions: [noticeInExpiry('NONE'), reportKey('DIGIT')] },
        ],
        'key.backspace': {
          guard: 'expiryDigitRemoved',
          actions: [entrySetup.assign({ expiryDigits: ({ context, event }) => countAfter(event, Math.max(0, context.expiryDigits - 1)), notice: 'NONE' }), 'dropExpiryDigit', reportKey('BACKSPACE')],
        },
        'key.clear': { guard: 'expiryCleared', actions: [entrySetup.assign({ expiryDigits: 0, notice: 'NONE' }), 'clearExpiry', reportKey('CLEAR')] },
        'key.enter': [
          { guard: 'expiryMalformed', actions: [entrySetup.assign({ expiryDigits: 0, notice: 'INVALID_EXPIRY' }), 'clearExpiry', reportKey('ENTER')] },
          {
            guard: 'expiryPassed',
            target: '#entry.failed',
            actions: [finish({ outcome: 'failed', code: 'EXPIRED_CARD' }), reportKey('ENTER')],
          },
          { guard: 'expiryAccepted', target: '#entry.processing', actions: [entrySetup.assign({ field: 'NONE', notice: 'NONE' }), reportKey('ENTER')] },
        ],
        'report.status': [
          { guard: { type: 'statusIs', params: { state: 'EXPIRY' } }, actions: takeStatus },
          toProcessingByStatus,
          ...toEnding,
        ],
      },
    },
    processing: {
      entry: reportState('PROCESSING'),
      invoke: {
        id: 'encryptCard',
        src: 'encryptCard',
        input: ({ context }: { context: EntryContext }) => context.side,
        onDone: {
          target: 'done',
          actions: assign({ outcome: ({ event }) => ({ outcome: 'done' as const, result: event.output }) }),
        },
        onError: {
          target: 'failed',
          actions: assign({ outcome: ({ event }) => ({ outcome: 'failed' as const, code: encryptFailureCode(event.error) }) }),
        },
      },
      on: {
        // Only cancel means anything while the card is being encrypted.
        'key.cancel': cancelKeyTransitions,
        'report.status': [
          { guard: { type: 'statusIs', params: { state: 'PROCESSING' } }, actions: takeStatus },
          ...toEnding,
        ],
      },
    },
    // Driver only: the cancel key's KEY came; the final STATUS and the ERROR follow (a RESULT or ERROR at the root).
    cancelling: {
      on: { 'report.status': toEnding },
    },
    ending: {
      on: {
        'report.result': [{ guard: { type: 'endedAs', params: { state: 'DONE' } }, ...onResult }, { target: 'failed', actions: outOfStep }],
        'report.error': [{ guard: not('errorFitsEnd'), target: 'failed', actions: outOfStep }, ...onError],
        // The final STATUS again: only an answer queued after the RESULT or ERROR says so; that was lost (§9.7).
        'report.status': {
          guard: { type: 'statusIs', params: { state: 'final' } },
          target: 'failed',
          actions: entrySetup.assign(({ context }) => ({
            outcome: { outcome: 'lost' as const, detail: `keypad reports ${context.endedAs ?? '?'} for this session, no RESULT or ERROR came` },
          })),
        },
      },
    },
    done: { type: 'final', entry: reportState('DONE') },
    timeout: { type: 'final', entry: reportState('TIMEOUT') },
    cancelled: { type: 'final', entry: reportState('CANCELLED') },
    failed: { type: 'final', entry: reportState('FAILED') },
  },
});

export type EntryStatechart = typeof entryStatechart;
export type EntrySnapshot = SnapshotFrom<EntryStatechart>;
export type EntryActor = ActorRefFrom<EntryStatechart>;
