/**
 * Exit codes of every verb. The driver's commands (`tenkey read`, `doctor`, `demo`) have one per store error,
 * one for usage mistakes, and one for cancellation (which is not an error: the person pressed cancel, or
 * Ctrl-C here); the tools (sim, tap, capture, …) exit 1 when they cannot do their work. VERB_EXIT_CODES says
 * what each code means for each verb: every verb's --help is generated from it (test/cli/verb-help.test.ts).
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

/** A tool verb (sim, tap, capture, decode, bridge, demo-store) that could not do its work. */
export const FAILURE_EXIT_CODE = 1;

/** A peer broke PROTOCOL.md: `tenkey conform` found a required check failed, or `tenkey sim --strict` saw a host violation. */
export const NONCONFORMING_EXIT_CODE = 8;

type ExitCodeLine = readonly [code: number, meaning: string];

const DRIVER_CODES: readonly ExitCodeLine[] = Object.entries(EXIT_CODES).map(([name, code]) => [code, name]);
const USAGE: ExitCodeLine = [EXIT_CODES.USAGE, 'USAGE'];
const SERVER = (cannot: string): readonly ExitCodeLine[] => [[EXIT_CODES.OK, 'stopped by SIGINT/SIGTERM'], [FAILURE_EXIT_CODE, cannot], USAGE];
const CAPTURE_TOOL = (done: string): readonly ExitCodeLine[] => [
  [EXIT_CODES.OK, done], [FAILURE_EXIT_CODE, 'the input cannot be read (missing file, not a capture nor a hex dump, empty)'], USAGE,
];

/** Each verb (as typed after `tenkey`) → its exit codes and what they mean there. */
export const VERB_EXIT_CODES: Readonly<Record<string, readonly ExitCodeLine[]>> = {
  read: DRIVER_CODES,
  demo: [DRIVER_CODES[0]!, [FAILURE_EXIT_CODE, 'the virtual keypad cannot start (its state file is in use or cannot be trusted)'], ...DRIVER_CODES.slice(1)],
  doctor: DRIVER_CODES.filter(([code]) => code !== EXIT_CODES.CANCELLED),
  sim: [...SERVER('cannot listen, open the PTY or hold the keypad state file'), [NONCONFORMING_EXIT_CODE, 'with --strict: the host broke PROTOCOL.md (the first 100 violations on stderr, then a count)']],
  tap: SERVER('cannot open the device, the PTY or the output file'),
  bridge: SERVER('cannot listen'),
  'demo-store': SERVER('cannot listen (or start the keypad and bridge of --with-keypad)'),
  decode: CAPTURE_TOOL('decoded (bytes that do not decode are listed, not an error)'),
  'capture export': CAPTURE_TOOL('written'),
  'capture import': CAPTURE_TOOL('written'),
  'capture info': CAPTURE_TOOL('summarised'),
  conform: [
    [EXIT_CODES.OK, 'every required check passed'], USAGE, [EXIT_CODES.CONNECTION, 'CONNECTION (the keypad could not be opened)'],
    [NONCONFORMING_EXIT_CODE, 'a required check failed or was skipped'],
  ],
  replay: [
    [EXIT_CODES.OK, 'everything matched'],
    [FAILURE_EXIT_CODE, 'differences (listed frame by frame)'],
    [USAGE_EXIT_CODE, 'the capture cannot be replayed this way (unreadable, corrupt or empty; no HELLO for --against host, no scenario.keys for --against device) or bad usage'],
  ],
};

/** "Exit codes: 0 OK, 2 USAGE, …." for `verb`'s --help (default: the driver's commands). */
export function exitCodesHelp(verb = 'read'): string {
  const lines = VERB_EXIT_CODES[verb];
  if (lines === undefined) throw new Error(`no exit codes for "${verb}" in VERB_EXIT_CODES`);
  return `Exit codes: ${lines.map(([code, meaning]) => `${code} ${meaning}`).join(', ')}.`;
}

