/** The code of the PaymentSimError `run` throws (asserting it is one), or undefined when it throws nothing. */
import { expect } from 'vitest';
import { PaymentSimError } from '../../payment-sim/index.js';

export function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(PaymentSimError);
    return (e as PaymentSimError).code;
  }
  return undefined;
}
