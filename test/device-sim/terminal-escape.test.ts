/**
 * Esc = cancel in the key mapping, both on the key objects node:readline's decoder produces and through the
 * decoder itself (bytes in, commands out). The real-terminal end-to-end test is terminal-cancel.test.ts.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ReadStream } from 'node:tty';
import { afterEach, describe, expect, it } from 'vitest';
import { attachTerminalKeys, terminalCommandOf, type TerminalCommand } from '../../device-sim/terminal-input.js';

const CANCEL = { kind: 'key', key: 'cancel' };

describe('key mapping: Esc', () => {
  it.each([
    ['a lone Esc after the escape-code timeout', undefined, { name: 'escape', meta: true, sequence: '\x1b' }, CANCEL],
    ['Esc Esc', undefined, { name: 'escape', meta: true, sequence: '\x1b\x1b' }, CANCEL],
    ['Esc then a digit within the timeout', undefined, { name: '5', meta: true, sequence: '\x1b5' }, CANCEL],
    ['Esc then Enter within the timeout', undefined, { name: 'return', meta: true, sequence: '\x1b\r' }, CANCEL],
    ['Esc then c within the timeout', undefined, { name: 'c', meta: true, sequence: '\x1bc' }, CANCEL],
    ['Esc then Ctrl-C within the timeout', undefined, { meta: true, sequence: '\x1b\x03' }, { kind: 'quit' }],
    ['Up arrow (CSI)', undefined, { name: 'up', code: '[A', sequence: '\x1b[A' }, undefined],
    ['F1 (SS3)', undefined, { name: 'f1', code: 'OP', sequence: '\x1bOP' }, undefined],
    ['Alt+Up', undefined, { name: 'up', code: '[A', sequence: '\x1b\x1b[A' }, undefined],
    ['Delete (CSI) still erases', undefined, { name: 'delete', code: '[3~', sequence: '\x1b[3~' }, { kind: 'key', key: 'backspace' }],
  ])('%s', (_case, text, key, command) => {
    expect(terminalCommandOf(text, key)).toEqual(command);
  });
});

/** A stand-in for process.stdin on a TTY: a byte stream with raw mode. */
function fakeTty(): ReadStream {
  const stream = new PassThrough() as unknown as ReadStream & { isRaw: boolean };
  stream.isTTY = true;
  stream.isRaw = false;
  stream.setRawMode = (mode: boolean) => {
    stream.isRaw = mode;
    return stream;
  };
  return stream;
}

const detaches: (() => void)[] = [];
afterEach(() => {
  for (const detach of detaches.splice(0)) detach();
});

/** Feeds `chunks` (one stream write each) through readline's decoder as attachTerminalKeys sets it up. */
function decode(chunks: string[]): { commands: TerminalCommand[]; input: ReadStream; next: () => Promise<TerminalCommand> } {
  const input = fakeTty();
  const commands: TerminalCommand[] = [];
  const events = new PassThrough({ objectMode: true });
  detaches.push(attachTerminalKeys(input, (command) => {
    commands.push(command);
    events.write(command);
  }));
  for (const chunk of chunks) input.write(chunk);
  return {
    commands,
    input,
    next: async () => {
      const buffered = events.read() as TerminalCommand | null;
      if (buffered !== null) return buffered;
      const [command] = (await once(events, 'data')) as [TerminalCommand];
      return command;
    },
  };
}

describe('key mapping through readline’s decoder', () => {
  it('Esc followed by a digit in one read: cancel, and the digit is not typed', async () => {
    const { commands } = decode(['12\x1b5']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(commands).toEqual([{ kind: 'key', key: '1' }, { kind: 'key', key: '2' }, CANCEL]);
  });

  it('arrow keys and other escape sequences between digits are ignored, not cancel', async () => {
    const { commands } = decode(['1\x1b[A\x1b[D\x1bOP\x1b[15~\x1b\x1b[B2', '\x1b[C', '3']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(commands).toEqual([{ kind: 'key', key: '1' }, { kind: 'key', key: '2' }, { kind: 'key', key: '3' }]);
  });

  // Needs the decoder's escape-code timer to fire: the wait is a liveness bound, nothing asserts its length.
  it('a lone Esc at the end of a read becomes cancel once the escape-code timeout passes', async () => {
    const { next } = decode(['4', '\x1b']);
    expect(await next()).toEqual({ kind: 'key', key: '4' });
    expect(await next()).toEqual(CANCEL);
  });
});
