import { describe, expect, it } from 'vitest';
import { terminalCommandOf } from '../../device-sim/terminal-input.js';
import { renderDisplay, IDLE_DISPLAY } from '../../device-sim/display.js';

describe('the PC keyboard as the keypad', () => {
  it.each([
    ['7', { name: '7' }, { kind: 'key', key: '7' }],
    [undefined, { name: 'backspace' }, { kind: 'key', key: 'backspace' }],
    ['c', { name: 'c' }, { kind: 'key', key: 'clear' }],
    ['\r', { name: 'return' }, { kind: 'key', key: 'enter' }],
    [undefined, { name: 'escape' }, { kind: 'key', key: 'cancel' }],
    [undefined, { name: 'c', ctrl: true }, { kind: 'quit' }],
    ['x', { name: 'x' }, undefined],
  ])('maps %j %j', (text, key, command) => {
    expect(terminalCommandOf(text, key)).toEqual(command);
  });

  it('renders the idle display without digits', () => {
    expect(renderDisplay(IDLE_DISPLAY)[0]).toContain('[IDLE]');
  });
});
