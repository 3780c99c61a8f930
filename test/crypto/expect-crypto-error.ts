import { expect } from 'vitest';
import { CryptoError } from '../../device-sim/crypto/errors.js';

/** Runs `run`, expects it to throw a CryptoError with `code`, and returns that error for further checks. */
export function expectCryptoError(run: () => unknown, code: CryptoError['code']): CryptoError {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CryptoError);
  expect((thrown as CryptoError).code).toBe(code);
  return thrown as CryptoError;
}
