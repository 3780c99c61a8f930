/**
 * `tenkey sim --strict`: watches what a host does to the virtual keypad and names every behaviour PROTOCOL.md
 * forbids or does not expect of a host (a bad seq, a missing ACK, a START_ENTRY while busy, no keepalive, a
 * refused frame, a frame in the device's direction, a message before HELLO). An observer only: it listens to
 * the keypad's link and decoder events and never changes what the keypad does.
 */
import { systemClock, type Clock } from '../../protocol/clock.js';
import { PING_INTERVAL_MS } from '../../protocol/constants.js';
import type { ProtocolError, ProtocolErrorCodeName } from '../../protocol/errors.js';
import type { Frame } from '../../protocol/frame-types.js';
import type { NakReasonName } from '../../protocol/messages.js';
import type { KeypadAttachment, VirtualKeypad } from '../virtual-keypad.js';

export const HostViolationName = {
  MESSAGE_BEFORE_HELLO: 'MESSAGE_BEFORE_HELLO',
  BAD_SEQ: 'BAD_SEQ',
  MISSING_ACK: 'MISSING_ACK',
  START_WHILE_BUSY: 'START_WHILE_BUSY',
  NO_KEEPALIVE: 'NO_KEEPALIVE',
  MALFORMED_FRAME: 'MALFORMED_FRAME',
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  BAD_LENGTH: 'BAD_LENGTH',
  BAD_PAYLOAD: 'BAD_PAYLOAD',
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  WRONG_DIRECTION: 'WRONG_DIRECTION',
  DEVICE_DIRECTION_FLAG: 'DEVICE_DIRECTION_FLAG',
} as const;
export type HostViolationName = keyof typeof HostViolationName;

/** The PROTOCOL.md section each violation breaks. */
export const HOST_VIOLATION_SECTIONS: Readonly<Record<HostViolationName, string>> = {
  MESSAGE_BEFORE_HELLO: '§8 step 1',
  BAD_SEQ: '§6.1',
  MISSING_ACK: '§6.2',
  START_WHILE_BUSY: '§9.1',
  NO_KEEPALIVE: '§6.4',
  MALFORMED_FRAME: '§2, §3.5 #1–6',
  UNSUPPORTED_VERSION: '§3.5 #7, §8',
  BAD_LENGTH: '§3.5 #9, #11',
  BAD_PAYLOAD: '§3.5 #8, #12',
  UNKNOWN_TYPE: '§3.5 #10, §5.1',
  WRONG_DIRECTION: '§3.4, §3.5 #14',
  DEVICE_DIRECTION_FLAG: '§3.4, §3.5 #13',
};

export interface HostViolation {
  name: HostViolationName;
  section: string;
  /** What the host did, without card data (frames from a host never carry any). */
  detail: string;
}

export interface HostConductOptions {
  clock?: Clock;
  /** Called with each violation that is kept (the first `keep`); later ones are only counted. */
  onViolation?: (violation: HostViolation) => void;
  /** How many violations are kept with their detail. Default MAX_KEPT_HOST_VIOLATIONS. */
  keep?: number;
}

/** A host flooding garbage makes violations without end: the first this many are kept, the rest only counted. */
export const MAX_KEPT_HOST_VIOLATIONS = 100;

/** A silence this much longer than PING_INTERVAL_MS is a missed keepalive (timers of a loaded host run late). */
const KEEPALIVE_SLACK = 1.5;

const NAK_VIOLATIONS: Readonly<Record<NakReasonName, HostViolationName | undefined>> = {
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  BAD_LENGTH: 'BAD_LENGTH',
  BAD_PAYLOAD: 'BAD_PAYLOAD',
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  WRONG_DIRECTION: 'WRONG_DIRECTION',
  NOT_READY: undefined,
};

/** Decoder drops that no answer follows (checks 1–6 of §3.5); later ones are NAKed and reported by their NAK. */
const UNANSWERED_DROPS: ReadonlySet<ProtocolErrorCodeName> = new Set(['BAD_COBS', 'BAD_CRC', 'TOO_SHORT', 'TOO_LONG']);

export class HostConductObserver {
  /** The first violations, at most `keep` of them (counts has them all). */
  readonly violations: HostViolation[] = [];
  /** How many violations of each name, kept or not. */
  readonly counts: Partial<Record<HostViolationName, number>> = {};
  #total = 0;
  readonly #keep: number;
  readonly #clock: Clock;
  readonly #onViolation: ((violation: HostViolation) => void) | undefined;
  /** Per connection: the host's last seq, whether it said HELLO, when it last sent a new message. */
  #lastSeq: number | undefined;
  #helloSeen = false;
  #lastMessageAt: number | undefined;
  #detachListeners: (() => void) | undefined;
  readonly #onConnection = (connected: boolean): void => this.#connection(connected);

  constructor(private readonly keypad: VirtualKeypad, options: HostConductOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#onViolation = options.onViolation;
    this.#keep = options.keep ?? MAX_KEPT_HOST_VIOLATIONS;
    keypad.on('connection', this.#onConnection);
    if (keypad.attachment !== undefined) this.#watch(keypad.attachment);
  }

  /** Every violation so far, kept or only counted. */
  get total(): number {
    return this.#total;
  }

  /** Stops watching. */
  close(): void {
    this.keypad.off('connection', this.#onConnection);
    this.#detachListeners?.();
    this.#detachListeners = undefined;
  }

  #connection(connected: boolean): void {
    this.#detachListeners?.();
    this.#detachListeners = undefined;
    const attachment = this.keypad.attachment;
    if (connected && attachment !== undefined) this.#watch(attachment);
  }

  #watch(attachment: KeypadAttachment): void {
    this.#lastSeq = undefined;
    this.#helloSeen = false;
    this.#lastMessageAt = undefined;
    const { link, decoder } = attachment;
    const onReceived = (frame: Frame): void => this.#received(frame);
    const onSent = (frame: Frame): void => this.#sent(frame);
    const onRetransmit = (frame: Frame, attempt: number): void => {
      // Once per message: its first retransmission shows the host let ACK_TIMEOUT_MS pass.
      if (attempt === 1) this.#violation('MISSING_ACK', `no ACK for ${frame.message.type} (device seq ${frame.seq}) within the ACK timeout`);
    };
    const onDrop = (error: ProtocolError): void => {
      if (UNANSWERED_DROPS.has(error.code)) this.#violation('MALFORMED_FRAME', `a frame failed ${error.code}`);
    };
    link.on('received', onReceived);
    link.on('sent', onSent);
    link.on('retransmit', onRetransmit);
    decoder.on('drop', onDrop);
    this.#detachListeners = () => {
      link.off('received', onReceived);
      link.off('sent', onSent);
      link.off('retransmit', onRetransmit);
      decoder.off('drop', onDrop);
    };
  }

  #received(frame: Frame): void {
    const { message } = frame;
    if (frame.fromDevice) {
      this.#violation('DEVICE_DIRECTION_FLAG', `${message.type} (seq ${frame.seq}) came with FROM_DEVICE set`);
      return;
    }
    if (message.type === 'ACK' || message.type === 'NAK') return;
    // A device-only type is NAKed WRONG_DIRECTION and reported by that NAK; it takes no seq of the host's.
    if (isDeviceOnly(message.type)) return;
    const now = this.#clock.now();
    const previous = this.#lastSeq;
    const isRepeat = frame.retransmission && previous === frame.seq;
    if (!isRepeat) this.#checkSeq(frame, previous);
    if (!this.#helloSeen && message.type !== 'HELLO') {
      this.#violation('MESSAGE_BEFORE_HELLO', `${message.type} (seq ${frame.seq}) before any HELLO on this connection`);
    }
    if (message.type === 'HELLO') this.#helloSeen = true;
    if (!frame.retransmission && message.type !== 'HELLO' && this.#lastMessageAt !== undefined) {
      const silence = now - this.#lastMessageAt;
      if (silence > PING_INTERVAL_MS * KEEPALIVE_SLACK) {
        this.#violation('NO_KEEPALIVE', `${Math.round(silence)} ms without a message before ${message.type} (seq ${frame.seq}); PING is due after ${PING_INTERVAL_MS} ms`);
      }
    }
    if (!frame.retransmission) this.#lastMessageAt = now;
    if (message.type === 'START_ENTRY' && !isRepeat && this.keypad.activeSessionId !== undefined) {
      this.#violation('START_WHILE_BUSY', `START_ENTRY session ${message.sessionId} while session ${this.keypad.activeSessionId} runs`);
    }
    this.#lastSeq = frame.seq;
  }

  #checkSeq(frame: Frame, previous: number | undefined): void {
    const { seq } = frame;
    const type = frame.message.type;
    if (previous === undefined) return; // the first message of a host: its counter may start anywhere on a serial line
    const next = (previous + 1) & 0xff;
    if (seq === next) return;
    if (type === 'HELLO' && seq === 0) return; // a new host's counter starts at 0 (§6.3)
    if (seq === previous) {
      this.#violation('BAD_SEQ', `${type} reused seq ${seq} without the RETRANSMISSION flag`);
    } else {
      this.#violation('BAD_SEQ', `${type} carried seq ${seq} after seq ${previous} (expected ${next})`);
    }
  }

  #sent(frame: Frame): void {
    const { message } = frame;
    if (message.type === 'NAK') {
      const name = NAK_VIOLATIONS[message.reason];
      if (name !== undefined) this.#violation(name, `the keypad refused host seq ${frame.seq}: NAK ${message.reason}`);
    }
  }

  #violation(name: HostViolationName, detail: string): void {
    this.#total++;
    this.counts[name] = (this.counts[name] ?? 0) + 1;
    if (this.violations.length >= this.#keep) return;
    const violation = { name, section: HOST_VIOLATION_SECTIONS[name], detail };
    this.violations.push(violation);
    this.#onViolation?.(violation);
  }
}

function isDeviceOnly(type: string): boolean {
  return type === 'INFO' || type === 'STATUS' || type === 'KEY' || type === 'RESULT' || type === 'ERROR' || type === 'PONG';
}

/** One stderr line for a violation. */
export function formatHostViolation(violation: HostViolation): string {
  return `violation ${violation.name} (PROTOCOL.md ${violation.section}): ${violation.detail}`;
}

/** The line after the kept violations when more came: how many, by name; undefined when every one was kept. */
export function formatUnkeptViolations(observer: HostConductObserver): string | undefined {
  const unkept = observer.total - observer.violations.length;
  if (unkept === 0) return undefined;
  const byName = Object.entries(observer.counts).map(([name, count]) => `${name} ${count}`).join(', ');
  return `… ${unkept} more violation${unkept === 1 ? '' : 's'} not shown (all, by name: ${byName})`;
}
