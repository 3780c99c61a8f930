/**
 * The entry scenarios the model-based tests walk: one TEST card each (named, never shown as digits), the session's
 * settings, and the model rules they give.
 */
import { sessionBrandsOf, findKeypadService } from '../../device-sim/services.js';
import { expiryFor, TEST_CARDS, type TestCardName } from '../../device-sim/test-cards.js';
import { acceptedBrandsOf, findCardService } from '../../host-driver/services.js';
import type { CalendarMonth } from '../../device-sim/entry/card-rules.js';
import type { ModelInput } from './entry-model.js';

export interface EntryScenario {
  /** Test title: the card's test name and what the entry is about. */
  title: string;
  card: TestCardName;
  expiry: 'valid' | 'expired' | null;
  /** The driver's card service for the entry (readCard's `service`); absent: all brands. */
  service?: string;
  reveal: number;
}

export const SCENARIOS: readonly EntryScenario[] = [
  { title: 'visa with a valid expiry', card: 'visa', expiry: 'valid', reveal: 3 },
  { title: 'luhn-fail (an invalid card number)', card: 'luhn-fail', expiry: 'valid', reveal: 3 },
  { title: 'visa with an expired expiry', card: 'visa', expiry: 'expired', reveal: 3 },
  { title: 'jcb refused by the visa-master service', card: 'jcb', expiry: 'valid', service: 'visa-master', reveal: 3 },
  { title: 'mastercard without expiry', card: 'mastercard', expiry: null, reveal: 4 },
];

/** The model's input for a scenario on a keypad whose calendar says `deviceDate` (YYYY-MM-DD) and whose service takes all. */
export function modelInputOf(scenario: EntryScenario, deviceDate: string, inactivityTimeoutS = 60): ModelInput {
  const requested = scenario.service === undefined ? [] : acceptedBrandsOf(findCardService(scenario.service)!);
  const accepted = sessionBrandsOf(findKeypadService('all'), requested);
  if (accepted === 'none') throw new Error(`${scenario.title}: no brand accepted`);
  const [year, month] = deviceDate.split('-').map(Number) as [number, number];
  const today: CalendarMonth = { year, month };
  return {
    rules: {
      pan: TEST_CARDS[scenario.card],
      expiry: scenario.expiry === null ? '' : expiryFor(scenario.expiry, deviceDate),
      acceptedBrands: accepted,
      today,
      reveal: scenario.reveal,
    },
    expiryRequired: scenario.expiry !== null,
    inactivityTimeoutS,
  };
}
