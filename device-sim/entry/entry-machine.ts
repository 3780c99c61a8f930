/**
 * The keypad's entry machine: the shared entry statechart (protocol/entry/entry-statechart.ts) with the keypad's
 * implementations. Card digits live in the session's KeypadCard (the statechart's opaque `side` slot), never in
 * the statechart's context: guards read the buffers, actions edit them in place, `wipeCard` zeroes them when the
 * entry ends (the statechart runs it on reaching any final state) and the encryptor gets views of them.
 *
 * Decisions (see also card-rules.ts / entry-input.ts):
 * - A number credit-card-type can't name is brand 'unknown': accepted only when the accepted set is empty
 *   (= no restriction). A non-empty set always refuses it: a brandset cannot name 'unknown' (bit 0 MUST be 0),
 *   and the simulator builds the set from brandsets and the card-service table only.
 * - Backspace on an empty expiry stays in the expiry field: the PAN was already checked; to change it, cancel.
 * - Keys past 19 PAN digits are ignored with notice PAN_TOO_LONG; past 4 expiry digits they are ignored.
 * - The session cap ends in `timeout` with reason 'sessionCap' (wire: ERROR SESSION_LIMIT); inactivity in
 *   `timeout` with reason 'inactivity' (wire: ERROR TIMEOUT). The session's clock sends both (entry-session.ts).
 * - `actor.stop()` runs no exit actions: end a session with `host.cancel` or `stopEntry(actor)`, never a bare stop().
 */
import { fromPromise, type ActorRefFrom } from 'xstate';
import { MAX_INVALID_PAN_ATTEMPTS, PAN_MAX_DIGITS, PAN_MIN_DIGITS } from '../../protocol/constants.js';
import type { Brand } from '../../protocol/messages.js';
import {
  EXPIRY_DIGITS, entryStatechart,
  type EntryContext, type EntryResult, type KeyReport, type StateReport,
} from '../../protocol/entry/entry-statechart.js';
import { detectBrand } from './brand.js';
import { checkExpiry, isBrandAccepted, isLuhnValid, lastDigits, type CalendarMonth } from './card-rules.js';
import type { ResolvedEntryInput } from './entry-input.js';

export {
  EXPIRY_DIGITS, digitsIn,
  type CancelledBy, type EncryptCardFailure, type EntryContext, type EntryEvent, type EntryOutput, type EntryResult,
  type EntrySnapshot, type KeyReport, type StateReport, type TimeoutReason,
} from '../../protocol/entry/entry-statechart.js';

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

/** What a keypad session is told by its machine. None of these may throw. */
export interface KeypadCardEffects {
  key(report: KeyReport): void;
  state(report: StateReport): void;
  encrypt(card: EncryptCardInput): Promise<EncryptCardOutput>;
}

/**
 * One session's card on the keypad: the digit buffers (digit values, never strings), edited in place, and what
 * the keypad learns of the number once it is accepted. Reached only through the machine's `side` slot.
 */
export class KeypadCard {
  readonly pan = new Uint8Array(PAN_MAX_DIGITS);
  panDigits = 0;
  readonly expiry = new Uint8Array(EXPIRY_DIGITS);
  expiryDigits = 0;
  /** Set once the PAN is accepted (or refused for its brand). */
  brand: Brand | null = null;
  /** The last `reveal` digits, once the PAN is accepted. */
  last = '';
  /** Brand of the first `#brandOfDigits` digits: ENTER asks for it twice (brandRefused, acceptPan), a lookup costs ~12 µs. */
  #brandOf: Brand | null = null;
  #brandOfDigits = -1;

  constructor(
    readonly settings: Pick<ResolvedEntryInput, 'acceptedBrands' | 'reveal'> & { today: CalendarMonth },
    readonly effects: KeypadCardEffects,
  ) {}

  get luhnValid(): boolean {
    return isLuhnValid(this.pan, this.panDigits);
  }

  /** Brand of the number in the buffer, looked up once per number (every PAN edit calls panEdited()). */
  detectedBrand(): Brand {
    if (this.#brandOfDigits !== this.panDigits || this.#brandOf === null) {
      this.#brandOf = detectBrand(this.pan.subarray(0, this.panDigits));
      this.#brandOfDigits = this.panDigits;
    }
    return this.#brandOf;
  }

  panEdited(): void {
    this.#brandOf = null;
    this.#brandOfDigits = -1;
  }

  wipe(): void {
    this.panEdited();
    this.pan.fill(0);
    this.expiry.fill(0);
    this.panDigits = 0;
    this.expiryDigits = 0;
  }
}

const cardOf = (context: EntryContext): KeypadCard => context.side as KeypadCard;
const always = () => true;

/** The statechart with the keypad's implementations; provide() builds a whole new machine, so once per process. */
export const entryMachine = entryStatechart.provide({
  guards: {
    panDigitAdded: ({ context }) => context.panDigits < PAN_MAX_DIGITS,
    panFull: always,
    panDigitRemoved: always,
    panCleared: always,
    panTooShort: ({ context }) => context.panDigits < PAN_MIN_DIGITS,
    panInvalidLast: ({ context }) => context.invalidAttempts + 1 >= MAX_INVALID_PAN_ATTEMPTS && !cardOf(context).luhnValid,
    panInvalid: ({ context }) => !cardOf(context).luhnValid,
    brandRefused: ({ context }) => {
      const card = cardOf(context);
      return !isBrandAccepted(card.detectedBrand(), card.settings.acceptedBrands);
    },
    panToExpiry: ({ context }) => context.expiryRequired,
    panToProcessing: always,
    expiryDigitAdded: ({ context }) => context.expiryDigits < EXPIRY_DIGITS,
    expiryFull: always,
    expiryDigitRemoved: always,
    expiryCleared: always,
    expiryMalformed: ({ context }) => {
      const card = cardOf(context);
      return checkExpiry(card.expiry, card.expiryDigits, card.settings.today) === 'invalid';
    },
    expiryPassed: ({ context }) => {
      const card = cardOf(context);
      return checkExpiry(card.expiry, card.expiryDigits, card.settings.today) === 'expired';
    },
    expiryAccepted: always,
    cancelKey: always,
  },
  actions: {
    reportKey: ({ context }, report) => cardOf(context).effects.key(report),
    reportState: ({ context }, report) => cardOf(context).effects.state(report),
    storePanDigit: ({ context }, { digit }) => {
      const card = cardOf(context);
      card.pan[card.panDigits++] = digit;
      card.panEdited();
    },
    dropPanDigit: ({ context }) => {
      const card = cardOf(context);
      if (card.panDigits > 0) card.pan[--card.panDigits] = 0;
      card.panEdited();
    },
    clearPan: ({ context }) => {
      const card = cardOf(context);
      card.pan.fill(0);
      card.panDigits = 0;
      card.panEdited();
    },
    storeExpiryDigit: ({ context }, { digit }) => {
      const card = cardOf(context);
      card.expiry[card.expiryDigits++] = digit;
    },
    dropExpiryDigit: ({ context }) => {
      const card = cardOf(context);
      if (card.expiryDigits > 0) card.expiry[--card.expiryDigits] = 0;
    },
    clearExpiry: ({ context }) => {
      const card = cardOf(context);
      card.expiry.fill(0);
      card.expiryDigits = 0;
    },
    acceptPan: ({ context }) => {
      const card = cardOf(context);
      card.brand = card.detectedBrand();
      card.last = lastDigits(card.pan, card.panDigits, card.settings.reveal);
    },
    wipeCard: ({ context }) => cardOf(context)?.wipe(),
  },
  actors: {
    encryptCard: fromPromise<EntryResult, unknown>(async ({ input }) => {
      const card = input as KeypadCard;
      const brand = card.brand ?? 'unknown';
      const output = await card.effects.encrypt({
        pan: card.pan.subarray(0, card.panDigits),
        expiry: card.expiry.subarray(0, card.expiryDigits),
        brand,
      });
      return { brand, last: card.last, keySerialNumber: output.keySerialNumber, encryptedBlock: output.encryptedBlock };
    }),
  },
});

export type EntryMachine = typeof entryMachine;
export type EntryActor = ActorRefFrom<EntryMachine>;
