/**
 * The PC keyboard as the keypad (interactive `tenkey sim` on a TTY): digits, Backspace, `c` = clear,
 * Enter, Esc = cancel, Ctrl-C = quit. Keypresses come from node:readline's decoder (escape sequences included).
 *
 * Esc on a terminal: the Esc key sends a lone 0x1b, but arrows, F-keys, Home... send sequences that also start
 * with 0x1b (ESC [ ..., ESC O ...). readline's decoder holds a trailing 0x1b for `escapeCodeTimeout` and then
 * reports it as { name: 'escape', meta: true }; a key that follows the Esc within that time arrives as one
 * "meta" key (sequence ESC + key). Both are Esc to us (a terminal sends Alt+key the same way: also cancel).
 * Only ESC [ and ESC O sequences (arrows and the like) are not Esc; they mean nothing on the keypad. (So Esc then
 * `[` or Shift+O within the timeout is read as the start of such a sequence, not as Esc: neither is a keypad key.)
 */
import { emitKeypressEvents, type Interface, type Key } from 'node:readline';
import type { ReadStream } from 'node:tty';
import type { KeypadKey } from './entry/keys.js';

export type TerminalCommand = { kind: 'key'; key: KeypadKey } | { kind: 'quit' };

/**
 * How long a trailing 0x1b waits for the rest of an escape sequence before it counts as the Esc key
 * (readline's default is 500 ms). A terminal emulator writes a whole sequence at once, so on a local PTY it
 * arrives in one read; over a slow remote link a split arrow-key sequence could read as Esc (= cancel).
 */
export const ESCAPE_CODE_TIMEOUT_MS = 50;

const ESC = '\x1b';
const CANCEL: TerminalCommand = { kind: 'key', key: 'cancel' };

/** What one keypress means; undefined for keys the keypad has no use for. */
export function terminalCommandOf(text: string | undefined, key: Key | undefined): TerminalCommand | undefined {
  if (key?.ctrl === true && key.name === 'c') return { kind: 'quit' };
  // A lone Esc (after the escape-code timeout), Esc Esc: readline names these 'escape', with meta set.
  if (key?.name === 'escape') return CANCEL;
  const sequence = key?.sequence ?? '';
  // ESC [ ... (CSI) and ESC O ... (SS3), possibly after an Alt ESC, are arrows, F-keys, Home, Delete...: handled
  // below by name like any key. Any other sequence starting with ESC is the Esc key followed by a key within the
  // timeout (or Alt+key): Esc. That key would reach an entry that has just ended (the keypad ignores it), so it
  // is dropped rather than typed; except Ctrl-C, which still quits.
  if (sequence.startsWith(ESC) && !/^\x1b{1,2}[[O]/u.test(sequence)) return sequence.endsWith('\x03') ? { kind: 'quit' } : CANCEL;
  if (key?.ctrl === true || key?.meta === true) return undefined;
  switch (key?.name) {
    case 'backspace':
    case 'delete':
      return { kind: 'key', key: 'backspace' };
    case 'return':
    case 'enter':
      return { kind: 'key', key: 'enter' };
    default:
      break;
  }
  if (text !== undefined && text.length === 1 && text >= '0' && text <= '9') return { kind: 'key', key: text as KeypadKey };
  if (text === 'c' || text === 'C') return { kind: 'key', key: 'clear' };
  return undefined;
}

/**
 * Puts the TTY in raw mode and calls `onCommand` per meaningful keypress. Returns a function that restores
 * the terminal and stops listening.
 */
export function attachTerminalKeys(input: ReadStream, onCommand: (command: TerminalCommand) => void): () => void {
  // The second argument is read like a readline.Interface: only its escapeCodeTimeout matters here. (If something
  // already attached readline's decoder to this stream, that one and its timeout stay in place.)
  emitKeypressEvents(input, { escapeCodeTimeout: ESCAPE_CODE_TIMEOUT_MS } as unknown as Interface);
  const wasRaw = input.isRaw;
  input.setRawMode(true);
  const onKeypress = (text: string | undefined, key: Key | undefined): void => {
    const command = terminalCommandOf(text, key);
    if (command !== undefined) onCommand(command);
  };
  input.on('keypress', onKeypress);
  input.resume();
  return () => {
    input.off('keypress', onKeypress);
    if (input.isTTY) input.setRawMode(wasRaw);
    input.pause();
  };
}
