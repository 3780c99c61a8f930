/**
 * The host driver's implementations of the shared entry statechart (protocol/entry/entry-statechart.ts): every
 * guard reads the KEY report the event carries (the keypad decided; the driver checks what it says fits the
 * transition), the card effects are the keypad's and do nothing here, and the encryptor never settles (the
 * keypad's RESULT or ERROR ends the entry). No card digit can reach this side: a KEY report carries counts only.
 */
import type { EntryFieldName, EntryNoticeName } from '../protocol/messages.js';
import { EXPIRY_DIGITS, encryptNever, entryStatechart, reportOf, type EntryContext, type EntryEvent } from '../protocol/entry/entry-statechart.js';

/** The driver's per-entry object in the statechart's `side` slot. */
export interface DriverSide {
  /** Sends GET_STATUS (PROTOCOL.md §9.7); never throws. */
  askStatus(): void;
}

/** The KEY report says the key left `field` holding what `check` accepts, with `notice`. */
const says = (field: EntryFieldName, notice: EntryNoticeName, check: (digits: number) => boolean = () => true) =>
  ({ event }: { context: EntryContext; event: EntryEvent }): boolean => {
    const report = reportOf(event);
    return report !== undefined && report.field === field && report.notice === notice && check(report.digits);
  };
const none = () => false;
const isZero = (digits: number) => digits === 0;

/** Provided once per process: provide() builds a whole new machine. */
export const driverEntryMachine = entryStatechart.provide({
  guards: {
    panDigitAdded: says('PAN', 'NONE'),
    panFull: says('PAN', 'PAN_TOO_LONG'),
    panDigitRemoved: says('PAN', 'NONE'),
    panCleared: says('PAN', 'NONE', isZero),
    panTooShort: says('PAN', 'PAN_TOO_SHORT'),
    // An ENTER that ends the entry reports field NONE like one that completes it: the ERROR after it tells.
    panInvalidLast: none,
    panInvalid: says('PAN', 'INVALID_PAN', isZero),
    brandRefused: none,
    panToExpiry: (args) => args.context.expiryRequired && says('EXPIRY', 'NONE', isZero)(args),
    panToProcessing: says('NONE', 'NONE', isZero),
    // A digit the full expiry ignored reports the same count as the one that filled it.
    expiryDigitAdded: says('EXPIRY', 'NONE', (digits) => digits <= EXPIRY_DIGITS),
    expiryFull: none,
    expiryDigitRemoved: says('EXPIRY', 'NONE'),
    expiryCleared: says('EXPIRY', 'NONE', isZero),
    expiryMalformed: says('EXPIRY', 'INVALID_EXPIRY', isZero),
    expiryPassed: none,
    expiryAccepted: says('NONE', 'NONE', isZero),
    cancelKey: says('NONE', 'NONE', isZero),
  },
  actions: {
    askStatus: ({ context }: { context: EntryContext }) => (context.side as DriverSide).askStatus(),
  },
  actors: {
    encryptCard: encryptNever,
  },
});
