/**
 * Exit codes of the driver's commands (`tenkey read`, `doctor`, `demo`): one per store error, one for usage
 * mistakes, and one for cancellation (which is not an error: the person pressed cancel, or Ctrl-C here).
 */
import type { TenkeyOutcome } from '../host-driver/index.js';
import { USAGE_EXIT_CODE } from './usage-error.js';

export const EXIT_CODES: Readonly<Record<'OK' | 'USAGE' | TenkeyOutcome, number>> = {
  OK: 0,
  USAGE: USAGE_EXIT_CODE,
  CARD_SERVICE: 3,
  CONNECTION: 4,
  ENTRY_TIMEOUT: 5,
  TEMPORARY: 6,
  CANCELLED: 7,
};

/** "0 OK, 2 USAGE, …" for a command's --help. */
export function exitCodesHelp(): string {
  return `Exit codes: ${Object.entries(EXIT_CODES).map(([k, v]) => `${v} ${k}`).join(', ')}.`;
}

/** A peer broke PROTOCOL.md: `tenkey conform` found a required check failed, or `tenkey sim --strict` saw a host violation. */
export const NONCONFORMING_EXIT_CODE = 8;
