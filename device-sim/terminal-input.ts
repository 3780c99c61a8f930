/**
 * The PC keyboard as the keypad (interactive `tenkey sim` on a TTY): digits, Backspace, `c` = clear,
 * Enter, Esc = cancel, Ctrl-C = quit. Keypresses come from node:readline's decoder (escape sequences included).
 */
import { emitKeypressEvents, type Key } from 'node:readline';
import type { ReadStream } from 'node:tty';
import type { KeypadKey } from './entry/keys.js';

export type TerminalCommand = { kind: 'key'; key: KeypadKey } | { kind: 'quit' };

/** What one keypress means; undefined for keys the keypad has no use for. */
export function terminalCommandOf(text: string | undefined, key: Key | undefined): TerminalCommand | undefined {
  if (key?.ctrl === true && key.name === 'c') return { kind: 'quit' };
  if (key?.ctrl === true || key?.meta === true) return undefined;
  switch (key?.name) {
    case 'backspace':
    case 'delete':
      return { kind: 'key', key: 'backspace' };
    case 'return':
    case 'enter':
      return { kind: 'key', key: 'enter' };
    case 'escape':
      return { kind: 'key', key: 'cancel' };
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
  emitKeypressEvents(input);
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
