/** commander argument parsers shared by the driver's commands: a bad value is one clear line and exit 2. */
import { InvalidArgumentError } from 'commander';
import { EXIT_CODES } from './exit-codes.js';

/** Parser for an integer in [min, max] (decimal digits only: "1e2", "0x10", " " and "12abc" are refused). */
export function integerIn(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) {
      const error = new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
      error.exitCode = EXIT_CODES.USAGE;
      throw error;
    }
    return n;
  };
}
