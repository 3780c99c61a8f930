/** One row of the README's bad-input table: what was tried, what tenkey answers, and the check that proves it. */
export type BadInputArea = 'wire' | 'keypad' | 'cli' | 'capture' | 'bridge' | 'store';

/** The areas in the order the table shows them. */
export const BAD_INPUT_AREAS: readonly BadInputArea[] = ['wire', 'keypad', 'cli', 'capture', 'bridge', 'store'];

export interface BadInputRow {
  area: BadInputArea;
  /** What was tried, in words (never a card number). */
  input: string;
  /** What tenkey answers: error class/code/cause, exit code, HTTP status, what is kept. */
  answer: string;
  /** Throws (vitest expect) when the answer differs. Self-contained: starts and cleans up what it needs. */
  check: () => Promise<void> | void;
}
