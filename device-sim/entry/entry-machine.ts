/**
 * The keypad's entry session as one xstate machine: shared by the simulator (which runs it), the driver's
 * tests and the replayer. It only names its effects; the simulator supplies them with `provide()`.
 *
 * Decisions (see also card-rules.ts / entry-input.ts):
 * - A number credit-card-type can't name is brand 'unknown': accepted only when the accepted set is empty
 *   (= no restriction). A non-empty set always refuses it: a brandset cannot name 'unknown' (bit 0 MUST be 0),
 *   and the simulator builds the set from brandsets and the card-service table only.
 * - Backspace on an empty expiry stays in the expiry field: the PAN was already checked; to change it, cancel.
 * - Keys past 19 PAN digits are ignored with notice PAN_TOO_LONG; past 4 expiry digits they are ignored.
 * - The session cap ends in `timeout` with reason 'sessionCap' (wire: ERROR SESSION_LIMIT); inactivity in
 *   `timeout` with reason 'inactivity' (wire: ERROR TIMEOUT).
 * - Card digits live in Uint8Array buffers. Context stays immutable (xstate/graph replays old snapshots), so
 *   every edit makes a fresh buffer and `wipeBuffers` zeroes the superseded one; actions run only in a live
 *   actor, so pure `machine.transition()` calls never destroy a snapshot. Leaving the machine (any final state)
 *   and the end of encryptCard wipe the current buffers too. `actor.stop()` runs no exit actions: end a session
 *   with `host.cancel` (outcome cancelled/host) or `stopEntry(actor)` (no outcome), never a bare stop().
 */
import { and, assign, fromPromise, not, raise, setup, type SnapshotFrom } from 'xstate';
import {
  MAX_INVALID_PAN_ATTEMPTS, PAN_MAX_DIGITS, PAN_MIN_DIGITS,
} from '../../protocol/constants.js';
import type {
  Brand, DeviceErrorName, EntryFieldName, EntryNoticeName, EntryStateName, KeyClassName,
} from '../../protocol/messages.js';
import { detectBrand } from './brand.js';
import { checkExpiry, isBrandAccepted, isLuhnValid, lastDigits, type CalendarMonth } from './card-rules.js';
import { resolveEntryInput, type EntryInput } from './entry-input.js';
import { digitValue, isDigitKey, type KeypadKey } from './keys.js';

export const EXPIRY_DIGITS = 4;

/** What encryptCard is given: views of the entry buffers (zeroed once it settles; copy what you keep). */
export interface EncryptCardInput {
  pan: Uint8Array;
  /** Empty when the session did not ask for the expiry. */
  expiry: Uint8Array;
  brand: Brand;
}
export interface EncryptCardOutput {
  keySerialNumber: Uint8Array;
  encryptedBlock: Uint8Array;
}
/** An encryptCard rejection whose `code` is 'KEY_EXHAUSTED' ends in KEY_EXHAUSTED; anything else in INTERNAL. */
export interface EncryptCardFailure { code?: unknown }

export interface EntryResult extends EncryptCardOutput {
  brand: Brand;
  /** At most `reveal` last PAN digits, ASCII. */
  last: string;
}

export type CancelledBy = 'keypad' | 'host';
export type TimeoutReason = 'inactivity' | 'sessionCap';
export type EntryOutput =
  | { outcome: 'done'; result: EntryResult }
  | { outcome: 'timeout'; reason: TimeoutReason }
  | { outcome: 'cancelled'; by: CancelledBy }
  | { outcome: 'failed'; code: DeviceErrorName };

/** Params of `reportKey`: what a KEY frame says after a key was applied. */
export interface KeyReport {
  keyClass: KeyClassName;
  field: EntryFieldName;
  digits: number;
  notice: EntryNoticeName;
}
/** Params of `reportState`, given on entering every state. */
export interface StateReport {
  state: EntryStateName;
  field: EntryFieldName;
  digits: number;
  notice: EntryNoticeName;
}

export interface EntryContext {
  sessionId: number;
  inactivityTimeoutS: number;
  reveal: number;
  expiryRequired: boolean;
  acceptedBrands: readonly Brand[];
  sessionCapS: number;
  today: CalendarMonth;
  /** PAN digit values; only the first `panDigits` count. Never serialised anywhere but here. */
  pan: Uint8Array;
  panDigits: number;
  /** MMYY digit values; only the first `expiryDigits` count. */
  expiry: Uint8Array;
  expiryDigits: number;
  field: EntryFieldName;
  /** Notice raised by the last key (NONE after any key that raised none). */
  notice: EntryNoticeName;
  invalidAttempts: number;
  /** Set once the PAN is accepted (or refused for its brand). */
  brand: Brand | null;
  /** Set on the transition into a final state; the machine's output. */
  outcome: EntryOutput | null;
}

export type EntryEvent =
  | { type: 'key'; key: KeypadKey }
  | { type: 'host.cancel' }
  // Internal: raised by the machine itself (timers, and each key translated by class).
  | { type: 'timer.inactivity' }
  | { type: 'timer.sessionCap' }
  | { type: 'key.digit'; digit: number }
  | { type: 'key.backspace' }
  | { type: 'key.clear' }
  | { type: 'key.enter' }
  | { type: 'key.cancel' };
/** The events the outside world sends. */
export type EntryInputEvent = Extract<EntryEvent, { type: 'key' | 'host.cancel' }>;

function translateKey(key: KeypadKey): EntryEvent {
  if (isDigitKey(key)) return { type: 'key.digit', digit: digitValue(key) };
  return { type: `key.${key}` };
}

function digitsIn(context: EntryContext): number {
  if (context.field === 'PAN') return context.panDigits;
  if (context.field === 'EXPIRY') return context.expiryDigits;
  return 0;
}

function keyReport(keyClass: KeyClassName, context: EntryContext): KeyReport {
  return { keyClass, field: context.field, digits: digitsIn(context), notice: context.notice };
}

function stateReport(state: EntryStateName, context: EntryContext): StateReport {
  return { state, field: context.field, digits: digitsIn(context), notice: context.notice };
}

function encryptFailureCode(error: unknown): DeviceErrorName {
  const code = typeof error === 'object' && error !== null ? (error as EncryptCardFailure).code : undefined;
  return code === 'KEY_EXHAUSTED' ? 'KEY_EXHAUSTED' : 'INTERNAL';
}

function withDigit(buffer: Uint8Array, count: number, digit: number): Uint8Array {
  const next = new Uint8Array(buffer.length);
  next.set(buffer.subarray(0, count));
  next[count] = digit;
  return next;
}

function withoutLastDigit(buffer: Uint8Array, count: number): Uint8Array {
  const next = new Uint8Array(buffer.length);
  next.set(buffer.subarray(0, Math.max(0, count - 1)));
  return next;
}

const entrySetup = setup({
  types: {
    context: {} as EntryContext,
    events: {} as EntryEvent,
    input: {} as EntryInput,
    output: {} as EntryOutput,
  },
  actions: {
    /** KEY frame. */
    reportKey: (_, _params: KeyReport) => {},
    /** STATUS-worthy change of state. */
    reportState: (_, _params: StateReport) => {},
    /** Display a notice (INVALID_PAN, ...). */
    showNotice: (_, _params: { notice: EntryNoticeName }) => {},
    /** Overwrite card-data buffers. The default really zeroes; a simulator override must too. */
    wipeBuffers: (_, params: { buffers: readonly Uint8Array[] }) => {
      for (const buffer of params.buffers) buffer.fill(0);
    },
  },
  guards: {
    panFull: ({ context }) => context.panDigits >= PAN_MAX_DIGITS,
    panTooShort: ({ context }) => context.panDigits < PAN_MIN_DIGITS,
    panLuhnValid: ({ context }) => isLuhnValid(context.pan, context.panDigits),
    lastInvalidAttempt: ({ context }) => context.invalidAttempts + 1 >= MAX_INVALID_PAN_ATTEMPTS,
    brandAccepted: ({ context }) =>
      isBrandAccepted(detectBrand(context.pan.subarray(0, context.panDigits)), context.acceptedBrands),
    expiryRequired: ({ context }) => context.expiryRequired,
    expiryFull: ({ context }) => context.expiryDigits >= EXPIRY_DIGITS,
    expiryMalformed: ({ context }) => checkExpiry(context.expiry, context.expiryDigits, context.today) === 'invalid',
    expiryPassed: ({ context }) => checkExpiry(context.expiry, context.expiryDigits, context.today) === 'expired',
    isCancelKey: ({ event }) => event.type === 'key' && event.key === 'cancel',
  },
  actors: {
    /** The harmless default refuses: a keypad without its crypto must never produce a result. */
    encryptCard: fromPromise<EncryptCardOutput, EncryptCardInput>(async () => {
      throw Object.assign(new Error('encryptCard not provided'), { code: 'INTERNAL' });
    }),
  },
  delays: {
    inactivityTimeout: ({ context }) => context.inactivityTimeoutS * 1000,
    sessionCap: ({ context }) => context.sessionCapS * 1000,
  },
});

const report = (keyClass: KeyClassName) =>
  ({ type: 'reportKey', params: ({ context }: { context: EntryContext }) => keyReport(keyClass, context) }) as const;

const reportState = (state: EntryStateName) =>
  ({ type: 'reportState', params: ({ context }: { context: EntryContext }) => stateReport(state, context) }) as const;

const noticeActions = (notice: EntryNoticeName) =>
  [entrySetup.assign({ notice }), { type: 'showNotice', params: { notice } }] as const;

const startInactivityTimer = entrySetup.raise({ type: 'timer.inactivity' }, { id: 'inactivity', delay: 'inactivityTimeout' });
const stopInactivityTimer = entrySetup.cancel('inactivity');

const finish = (outcome: EntryOutput) => entrySetup.assign({ outcome, field: 'NONE' as const });

const acceptBrand = entrySetup.assign({ brand: ({ context }) => detectBrand(context.pan.subarray(0, context.panDigits)) });

/** Replaces a buffer with an edited copy and zeroes the superseded one (see header). */
const editPan = (edit: (context: EntryContext, event: EntryEvent) => { pan: Uint8Array; panDigits: number }) =>
  entrySetup.enqueueActions(({ context, event, enqueue }) => {
    const superseded = context.pan;
    enqueue.assign(edit(context, event));
    enqueue({ type: 'wipeBuffers', params: { buffers: [superseded] } });
  });

const editExpiry = (edit: (context: EntryContext, event: EntryEvent) => { expiry: Uint8Array; expiryDigits: number }) =>
  entrySetup.enqueueActions(({ context, event, enqueue }) => {
    const superseded = context.expiry;
    enqueue.assign(edit(context, event));
    enqueue({ type: 'wipeBuffers', params: { buffers: [superseded] } });
  });

const appendPanDigit = editPan((c, e) => ({
  pan: withDigit(c.pan, c.panDigits, e.type === 'key.digit' ? e.digit : 0),
  panDigits: c.panDigits + 1,
}));
const dropPanDigit = editPan((c) => ({ pan: withoutLastDigit(c.pan, c.panDigits), panDigits: Math.max(0, c.panDigits - 1) }));
const clearPan = editPan((c) => ({ pan: new Uint8Array(c.pan.length), panDigits: 0 }));

const appendExpiryDigit = editExpiry((c, e) => ({
  expiry: withDigit(c.expiry, c.expiryDigits, e.type === 'key.digit' ? e.digit : 0),
  expiryDigits: c.expiryDigits + 1,
}));
const dropExpiryDigit = editExpiry((c) => ({
  expiry: withoutLastDigit(c.expiry, c.expiryDigits),
  expiryDigits: Math.max(0, c.expiryDigits - 1),
}));
const clearExpiry = editExpiry((c) => ({ expiry: new Uint8Array(c.expiry.length), expiryDigits: 0 }));

const wipeCurrentBuffers = {
  type: 'wipeBuffers',
  params: ({ context }: { context: EntryContext }) => ({ buffers: [context.pan, context.expiry] }),
} as const;

export const entryMachine = entrySetup.createMachine({
  id: 'entry',
  context: ({ input }) => {
    const settings = resolveEntryInput(input);
    return {
      ...settings,
      pan: new Uint8Array(PAN_MAX_DIGITS),
      panDigits: 0,
      expiry: new Uint8Array(EXPIRY_DIGITS),
      expiryDigits: 0,
      field: 'PAN',
      notice: 'NONE',
      invalidAttempts: 0,
      brand: null,
      outcome: null,
    };
  },
  // The cap is armed once and never restarted.
  entry: entrySetup.raise({ type: 'timer.sessionCap' }, { id: 'sessionCap', delay: 'sessionCap' }),
  // Runs when a final state is reached.
  exit: wipeCurrentBuffers,
  output: ({ context }) => context.outcome ?? { outcome: 'failed', code: 'INTERNAL' },
  initial: 'entering',
  on: {
    'host.cancel': { target: '.cancelled', actions: finish({ outcome: 'cancelled', by: 'host' }) },
    'timer.sessionCap': { target: '.timeout', actions: finish({ outcome: 'timeout', reason: 'sessionCap' }) },
  },
  states: {
    entering: {
      initial: 'pan',
      entry: startInactivityTimer,
      exit: stopInactivityTimer,
      on: {
        // Every key restarts the inactivity timer, clears the last notice, then is handled by class.
        key: {
          actions: [
            stopInactivityTimer,
            startInactivityTimer,
            assign({ notice: 'NONE' }),
            raise(({ event }) => translateKey(event.key)),
          ],
        },
        'key.cancel': {
          target: 'cancelled',
          actions: [finish({ outcome: 'cancelled', by: 'keypad' }), report('CANCEL')],
        },
        'timer.inactivity': { target: 'timeout', actions: finish({ outcome: 'timeout', reason: 'inactivity' }) },
      },
      states: {
        pan: {
          entry: reportState('PAN'),
          on: {
            'key.digit': [
              { guard: 'panFull', actions: [...noticeActions('PAN_TOO_LONG'), report('DIGIT')] },
              { actions: [appendPanDigit, report('DIGIT')] },
            ],
            'key.backspace': { actions: [dropPanDigit, report('BACKSPACE')] },
            'key.clear': { actions: [clearPan, report('CLEAR')] },
            'key.enter': [
              { guard: 'panTooShort', actions: [...noticeActions('PAN_TOO_SHORT'), report('ENTER')] },
              {
                guard: and([not('panLuhnValid'), 'lastInvalidAttempt']),
                target: '#entry.failed',
                actions: [
                  assign({ invalidAttempts: ({ context }) => context.invalidAttempts + 1 }),
                  finish({ outcome: 'failed', code: 'INVALID_CARD' }),
                  report('ENTER'),
                ],
              },
              {
                guard: not('panLuhnValid'),
                actions: [
                  assign({ invalidAttempts: ({ context }) => context.invalidAttempts + 1 }),
                  clearPan,
                  ...noticeActions('INVALID_PAN'),
                  report('ENTER'),
                ],
              },
              {
                guard: not('brandAccepted'),
                target: '#entry.failed',
                actions: [acceptBrand, finish({ outcome: 'failed', code: 'UNSUPPORTED_BRAND' }), report('ENTER')],
              },
              {
                guard: 'expiryRequired',
                target: 'expiry',
                actions: [acceptBrand, assign({ field: 'EXPIRY' }), report('ENTER')],
              },
              { target: '#entry.processing', actions: [acceptBrand, assign({ field: 'NONE' }), report('ENTER')] },
            ],
          },
        },
        expiry: {
          entry: reportState('EXPIRY'),
          on: {
            'key.digit': [
              { guard: 'expiryFull', actions: report('DIGIT') },
              { actions: [appendExpiryDigit, report('DIGIT')] },
            ],
            'key.backspace': { actions: [dropExpiryDigit, report('BACKSPACE')] },
            'key.clear': { actions: [clearExpiry, report('CLEAR')] },
            'key.enter': [
              { guard: 'expiryMalformed', actions: [clearExpiry, ...noticeActions('INVALID_EXPIRY'), report('ENTER')] },
              {
                guard: 'expiryPassed',
                target: '#entry.failed',
                actions: [finish({ outcome: 'failed', code: 'EXPIRED_CARD' }), report('ENTER')],
              },
              { target: '#entry.processing', actions: [assign({ field: 'NONE' }), report('ENTER')] },
            ],
          },
        },
      },
    },
    processing: {
      entry: reportState('PROCESSING'),
      invoke: {
        id: 'encryptCard',
        src: 'encryptCard',
        input: ({ context }) => ({
          pan: context.pan.subarray(0, context.panDigits),
          expiry: context.expiry.subarray(0, context.expiryDigits),
          brand: context.brand ?? 'unknown',
        }),
        onDone: {
          target: 'done',
          actions: [
            assign({
              outcome: ({ context, event }) => ({
                outcome: 'done' as const,
                result: {
                  brand: context.brand ?? 'unknown',
                  last: lastDigits(context.pan, context.panDigits, context.reveal),
                  keySerialNumber: event.output.keySerialNumber,
                  encryptedBlock: event.output.encryptedBlock,
                },
              }),
              field: 'NONE',
            }),
            wipeCurrentBuffers,
          ],
        },
        onError: {
          target: 'failed',
          actions: [
            assign({
              outcome: ({ event }) => ({ outcome: 'failed' as const, code: encryptFailureCode(event.error) }),
              field: 'NONE',
            }),
            wipeCurrentBuffers,
          ],
        },
      },
      on: {
        // Only cancel means anything while the card is being encrypted.
        key: { guard: 'isCancelKey', target: 'cancelled', actions: [finish({ outcome: 'cancelled', by: 'keypad' }), report('CANCEL')] },
      },
    },
    done: { type: 'final', entry: reportState('DONE') },
    timeout: { type: 'final', entry: reportState('TIMEOUT') },
    cancelled: { type: 'final', entry: reportState('CANCELLED') },
    failed: { type: 'final', entry: reportState('FAILED') },
  },
});

export type EntryMachine = typeof entryMachine;
export type EntrySnapshot = SnapshotFrom<EntryMachine>;
