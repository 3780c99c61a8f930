/**
 * The keypad's little screen: what it shows (a DisplaySnapshot, masked: card digits are never on it, only dots,
 * and after the number is accepted at most the last digits the host may see anyway), and its rendering as a few
 * text lines redrawn in place on a terminal (interactive `tenkey sim`).
 */
import { clearScreenDown, cursorTo, moveCursor } from 'node:readline';
import type { Writable } from 'node:stream';
import { NO_SESSION_ID } from '../protocol/constants.js';
import type {
  Brand, DeviceErrorName, EntryFieldName, EntryNoticeName, EntryStateName,
} from '../protocol/messages.js';

export interface DisplaySnapshot {
  state: EntryStateName;
  /** 0 before any session. */
  sessionId: number;
  field: EntryFieldName;
  /** PAN digits typed (a count). */
  panDigits: number;
  /** Expiry digits typed (a count). */
  expiryDigits: number;
  /** The card number as shown: dots in groups of four, e.g. `●●●● ●●●● ●●`; the revealed last digits once accepted. */
  pan: string;
  /** The expiry as shown: `●●/●●`, dots only. */
  expiry: string;
  /** Last digits shown once the number was accepted (at most START_ENTRY.reveal), else ''. */
  revealed: string;
  brand: Brand | null;
  /** Seconds before the inactivity timeout; 0 when no entry is open. */
  secondsLeft: number;
  /** Notice of the last key (INVALID_PAN after a number that failed its check, …). */
  notice: EntryNoticeName;
  /** Error code of the last session that ended in one (TIMEOUT, INVALID_CARD, …), until the next session starts. */
  lastError: DeviceErrorName | null;
  /** A host connection is attached. */
  connected: boolean;
}

export const MASK_DOT = '●';

/** `count` dots in groups of four; the last `revealed.length` positions show `revealed` instead. */
export function maskPan(count: number, revealed = ''): string {
  const shown = revealed.slice(-count);
  let text = '';
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % 4 === 0) text += ' ';
    const fromEnd = count - i;
    text += fromEnd <= shown.length ? shown[shown.length - fromEnd] : MASK_DOT;
  }
  return text;
}

/** MMYY as dots: `●●/●●` when complete, `●●/` after two digits. */
export function maskExpiry(count: number): string {
  const dots = MASK_DOT.repeat(Math.min(count, 4));
  return count > 2 ? `${dots.slice(0, 2)}/${dots.slice(2)}` : count === 2 ? `${dots}/` : dots;
}

export const IDLE_DISPLAY: Readonly<DisplaySnapshot> = Object.freeze({
  state: 'IDLE',
  sessionId: NO_SESSION_ID,
  field: 'NONE',
  panDigits: 0,
  expiryDigits: 0,
  pan: '',
  expiry: '',
  revealed: '',
  brand: null,
  secondsLeft: 0,
  notice: 'NONE',
  lastError: null,
  connected: false,
});

/** The screen as text lines (no trailing newline on any). */
export function renderDisplay(snapshot: DisplaySnapshot): string[] {
  const host = snapshot.connected ? 'host connected' : 'no host';
  const session = snapshot.sessionId === NO_SESSION_ID ? '' : `  session ${snapshot.sessionId}`;
  const countdown = snapshot.secondsLeft > 0 ? `  ${snapshot.secondsLeft}s left` : '';
  const cursor = (field: EntryFieldName): string => (snapshot.field === field ? '▶' : ' ');
  const brand = snapshot.brand === null ? '' : `  ${snapshot.brand}`;
  const notice = snapshot.notice === 'NONE' ? '' : `notice: ${snapshot.notice}  `;
  const error = snapshot.lastError === null ? '' : `last error: ${snapshot.lastError}`;
  return [
    `tenkey keypad  [${snapshot.state}]  ${host}${session}${countdown}`,
    `${cursor('PAN')} card   ${snapshot.pan}${brand}`,
    `${cursor('EXPIRY')} expiry ${snapshot.expiry}`,
    `${notice}${error}`,
    'keys: 0-9  Backspace  c=clear  Enter  Esc=cancel  Ctrl-C=quit',
  ];
}

/** Redraws the display in place on a terminal stream (stderr: stdout's first line is the address). */
export class TerminalDisplay {
  #linesDrawn = 0;

  constructor(private readonly out: Writable) {}

  draw(snapshot: DisplaySnapshot): void {
    this.#clear();
    const lines = renderDisplay(snapshot);
    this.out.write(`${lines.join('\n')}\n`);
    this.#linesDrawn = lines.length;
  }

  /** Removes what was drawn, e.g. before the program exits. */
  erase(): void {
    this.#clear();
    this.#linesDrawn = 0;
  }

  #clear(): void {
    if (this.#linesDrawn === 0) return;
    moveCursor(this.out, 0, -this.#linesDrawn);
    cursorTo(this.out, 0);
    clearScreenDown(this.out);
  }
}
