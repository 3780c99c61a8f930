/**
 * A running entry machine for tests: SimulatedClock time, a controllable encryptCard stub, and a record of
 * every effect the machine asked for.
 */
import { createActor, fromPromise, SimulatedClock, type InspectionEvent } from 'xstate';
import {
  entryMachine, isKeypadKey,
  type EncryptCardInput, type EncryptCardOutput, type EntryInput, type KeyReport, type KeypadKey, type StateReport,
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
  const wiped: Uint8Array[] = [];
  const encryptCalls: EncryptCall[] = [];
  let settle: { resolve(output: EncryptCardOutput): void; reject(error: unknown): void } | undefined;

  const machine = entryMachine.provide({
    actions: {
      reportKey: (_, params) => { keyReports.push(params); },
      reportState: (_, params) => { stateReports.push(params); },
      showNotice: (_, params) => { notices.push(params.notice); },
      wipeBuffers: (_, params) => {
        for (const buffer of params.buffers) { buffer.fill(0); wiped.push(buffer); }
      },
    },
    actors: {
      encryptCard: fromPromise<EncryptCardOutput, EncryptCardInput>(({ input: call }) => {
        encryptCalls.push({
          pan: Array.from(call.pan), expiry: Array.from(call.expiry), brand: call.brand,
          panView: call.pan, expiryView: call.expiry,
        });
        if (options.encrypt !== 'manual') return Promise.resolve(STUB_OUTPUT);
        return new Promise<EncryptCardOutput>((resolve, reject) => { settle = { resolve, reject }; });
      }),
    },
  });

  const actor = createActor(machine, {
    clock,
    input: { sessionId: 7, expiryRequired: true, today: TODAY, ...input },
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  actor.start();

  return {
    actor, machine, clock, keyReports, stateReports, notices, wiped, encryptCalls,
    press(key: KeypadKey) { actor.send({ type: 'key', key }); },
    /** Types each character: digits, or key names separated by spaces ("4242 enter"). */
    type(script: string) {
      for (const word of script.split(' ').filter(Boolean)) {
        if (isKeypadKey(word) && word.length > 1) { actor.send({ type: 'key', key: word }); continue; }
        for (const ch of word) {
          if (!isKeypadKey(ch)) throw new TypeError(`not a key: ${ch}`);
          actor.send({ type: 'key', key: ch });
        }
      }
    },
    hostCancel() { actor.send({ type: 'host.cancel' }); },
    async settleEncrypt(outcome: { output: EncryptCardOutput } | { error: unknown }) {
      if (!settle) throw new Error('encryptCard is not pending');
      if ('output' in outcome) settle.resolve(outcome.output); else settle.reject(outcome.error);
      await flush();
    },
    snapshot() { return actor.getSnapshot(); },
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
