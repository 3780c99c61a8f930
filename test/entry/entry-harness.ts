/**
 * A running keypad entry session for tests (the real EntrySession: the shared statechart with the keypad's
 * implementations and its timers) on a SimulatedClock, a controllable encryptCard stub, and a record of every
 * report it made.
 */
import { SimulatedClock, type InspectionEvent } from 'xstate';
import { EntrySession } from '../../device-sim/firmware/entry-session.js';
import {
  isKeypadKey,
  type EncryptCardInput, type EncryptCardOutput, type EntryInput, type EntryOutput, type KeyReport, type KeypadKey, type StateReport,
} from '../../device-sim/entry/index.js';
import type { EntryNoticeName } from '../../protocol/messages.js';

export const TODAY = { year: 2026, month: 11 } as const;

export const STUB_OUTPUT: EncryptCardOutput = {
  keySerialNumber: Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i),
  encryptedBlock: Uint8Array.from({ length: 32 }, (_, i) => 0xc0 + (i % 16)),
};

export interface EncryptCall { pan: number[]; expiry: number[]; brand: string; panView: Uint8Array; expiryView: Uint8Array }

export interface EntryHarnessOptions {
  /** 'auto' resolves encryptCard at once with STUB_OUTPUT; 'manual' waits for settleEncrypt(). */
  encrypt?: 'auto' | 'manual';
  inspect?: (event: InspectionEvent) => void;
}

export function startEntry(input: Partial<EntryInput> = {}, options: EntryHarnessOptions = {}) {
  const clock = new SimulatedClock();
  const keyReports: KeyReport[] = [];
  const stateReports: StateReport[] = [];
  const notices: EntryNoticeName[] = [];
  const encryptCalls: EncryptCall[] = [];
  const ends: EntryOutput[] = [];
  let settle: { resolve(output: EncryptCardOutput): void; reject(error: unknown): void } | undefined;

  const session = new EntrySession({ sessionId: 7, expiryRequired: true, today: TODAY, ...input }, clock, {
    key: (report) => {
      keyReports.push(report);
      if (report.notice !== 'NONE') notices.push(report.notice);
    },
    state: (report) => { stateReports.push(report); },
    changed: () => {},
    end: (output) => { ends.push(output); },
    encrypt: (call: EncryptCardInput) => {
      encryptCalls.push({
        pan: Array.from(call.pan), expiry: Array.from(call.expiry), brand: call.brand, panView: call.pan, expiryView: call.expiry,
      });
      if (options.encrypt !== 'manual') return Promise.resolve(STUB_OUTPUT);
      return new Promise<EncryptCardOutput>((resolve, reject) => { settle = { resolve, reject }; });
    },
  });
  if (options.inspect) session.actor.system.inspect(options.inspect);
  session.start();

  return {
    session, actor: session.actor, card: session.card, clock, keyReports, stateReports, notices, encryptCalls, ends,
    press(key: KeypadKey) { session.press(key); },
    /** Types each character: digits, or key names separated by spaces ("4242 enter"). */
    type(script: string) {
      for (const word of script.split(' ').filter(Boolean)) {
        if (isKeypadKey(word) && word.length > 1) { session.press(word); continue; }
        for (const ch of word) {
          if (!isKeypadKey(ch)) throw new TypeError(`not a key: ${ch}`);
          session.press(ch);
        }
      }
    },
    hostCancel() { session.cancelByHost(); },
    async settleEncrypt(outcome: { output: EncryptCardOutput } | { error: unknown }) {
      if (!settle) throw new Error('encryptCard is not pending');
      if ('output' in outcome) settle.resolve(outcome.output); else settle.reject(outcome.error);
      await flush();
    },
    snapshot() { return session.snapshot(); },
  };
}

export type EntryHarness = ReturnType<typeof startEntry>;

/** Lets promise callbacks (the invoked encryptCard) run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function allZero(buffer: Uint8Array): boolean {
  return buffer.every((b) => b === 0);
}
