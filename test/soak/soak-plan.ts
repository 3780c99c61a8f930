/**
 * What the person at the keypad does in each soak entry, drawn from a seeded PRNG: which TEST card (by name),
 * which expiry (mostly valid, some expired, so the device's own refusals are exercised too), and how long they
 * pause before each key. The plan holds card names only; the numbers are looked up when keys are typed.
 */
import { mulberry32, type Random } from '../../device-sim/faults/prng.js';
import type { KeypadKey } from '../../device-sim/entry/keys.js';
import type { KeyScriptStep } from '../../device-sim/key-script.js';
import { TEST_CARDS, type TestCardName } from '../../device-sim/test-cards.js';
import type { Brand } from '../../protocol/index.js';

/** The keypad's calendar during the soak (PROTOCOL.md §9.5): expiries are valid or expired against it. */
export const SOAK_DEVICE_DATE = new Date('2026-11-27T12:00:00Z');

/** Cards the soak types: every Luhn-valid TEST card (the Luhn failure would only add retypes). */
const CARD_NAMES = (Object.keys(TEST_CARDS) as TestCardName[]).filter((name) => name !== 'luhn-fail');
/** Share of entries typed with an expired card: the device refuses them with EXPIRED_CARD (store: CARD_SERVICE). */
const EXPIRED_SHARE = 0.05;
/** Pause before each key, ms: a quick clerk on a keypad. */
const KEY_GAP_MS = { min: 60, max: 400 } as const;

export interface PlannedEntry {
  index: number;
  card: Exclude<TestCardName, 'luhn-fail'>;
  /** MMYY. */
  expiry: string;
  expired: boolean;
}

export class SoakPlanner {
  readonly #random: Random;

  constructor(seed: number) {
    this.#random = mulberry32(seed);
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.#random() * (max - min + 1));
  }

  entry(index: number): PlannedEntry {
    const card = CARD_NAMES[this.int(0, CARD_NAMES.length - 1)]!;
    const expired = this.#random() < EXPIRED_SHARE;
    const year = SOAK_DEVICE_DATE.getUTCFullYear() % 100 + (expired ? -this.int(1, 5) : this.int(1, 5));
    const expiry = `${String(this.int(1, 12)).padStart(2, '0')}${String(year).padStart(2, '0')}`;
    return { index, card: card as PlannedEntry['card'], expiry, expired };
  }

  /** The keys of an entry (card, ENTER, expiry, ENTER), each after a pause. */
  keys(entry: PlannedEntry): KeyScriptStep[] {
    const steps: KeyScriptStep[] = [];
    const key = (k: KeyScriptStep & { kind: 'key' }) => {
      steps.push({ kind: 'wait', ms: this.int(KEY_GAP_MS.min, KEY_GAP_MS.max) }, k);
    };
    for (const digit of TEST_CARDS[entry.card]) key({ kind: 'key', key: digit as KeypadKey });
    key({ kind: 'key', key: 'enter' });
    for (const digit of entry.expiry) key({ kind: 'key', key: digit as KeypadKey });
    key({ kind: 'key', key: 'enter' });
    return steps;
  }
}

/** The brand the keypad reports for a TEST card: its name. */
export function brandOf(card: PlannedEntry['card']): Brand {
  return card;
}
