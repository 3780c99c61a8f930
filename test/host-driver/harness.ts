/**
 * Shared set-up for the driver's end-to-end tests: a real simulator on a real PTY or TCP socket, the
 * driver opened against it, and everything closed after each test.
 */
import type { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../device-sim/index.js';
import {
  openTenkey, type ConnectionEvent, type EntryProgress, type LogFields, type OpenTenkeyOptions, type TenkeyKeypad, type TenkeyLogger,
} from '../../host-driver/index.js';

/** Public test card numbers (Luhn-valid, one per brand the store's services know, plus one Luhn failure): the simulator's table. */
export { TEST_CARDS } from '../../device-sim/test-cards.js';

/** A future expiry (MMYY) and a past one. */
export const VALID_EXPIRY = '1230';
export const PAST_EXPIRY = '0120';

/** The key script that types a card and its expiry. */
export function cardKeys(pan: string, expiry: string = VALID_EXPIRY): string {
  return `${pan}<enter>${expiry}<enter>`;
}

const simulators: RunningSimulator[] = [];
const keypads: TenkeyKeypad[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  await Promise.all(keypads.splice(0).map((k) => k.close()));
  await Promise.all(simulators.splice(0).map((s) => s.close()));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export type Transport = 'pty' | 'tcp';

/** A simulator on a PTY (behind a stable symlink, so it survives vanish/reappear) or on a free TCP port. */
export async function simulator(transport: Transport, options: Omit<SimulatorOptions, 'listen' | 'link'> = {}): Promise<RunningSimulator> {
  let sim: RunningSimulator;
  if (transport === 'pty') {
    const dir = mkdtempSync(join(tmpdir(), 'tenkey-driver-'));
    tempDirs.push(dir);
    sim = await startSimulator({ ...options, listen: 'pty', link: join(dir, 'keypad') });
  } else {
    sim = await startSimulator({ ...options, listen: 'tcp://127.0.0.1:0' });
  }
  simulators.push(sim);
  return sim;
}

/** openTenkey, closed after the test. */
export async function open(options: OpenTenkeyOptions): Promise<TenkeyKeypad> {
  const keypad = await openTenkey(options);
  keypads.push(keypad);
  return keypad;
}

/** Resolves with the first `event` that `emitter` emits with a value satisfying `test`. */
export function eventWhere<T>(emitter: EventEmitter, event: string, test: (value: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const listener = (value: T) => {
      if (!test(value)) return;
      emitter.off(event, listener);
      resolve(value);
    };
    emitter.on(event, listener);
  });
}

/** Resolves with the first progress event that satisfies `test`. */
export function progressWhere(keypad: TenkeyKeypad, test: (p: EntryProgress) => boolean): Promise<EntryProgress> {
  return eventWhere(keypad, 'progress', test);
}

/** The keypad's next 'connection' event with this status. */
export function nextConnection(keypad: TenkeyKeypad, status: ConnectionEvent['status']): Promise<ConnectionEvent> {
  return eventWhere(keypad, 'connection', (e: ConnectionEvent) => e.status === status);
}

/** Records every progress event of a keypad. */
export function recordProgress(keypad: TenkeyKeypad): EntryProgress[] {
  const seen: EntryProgress[] = [];
  keypad.on('progress', (p) => seen.push(p));
  return seen;
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection, got a result');
}

/** A logger that keeps every line (level, message, fields) for assertions. */
export function recordingLogger(): TenkeyLogger & { lines: { level: string; message: string; fields: LogFields | undefined }[] } {
  const lines: { level: string; message: string; fields: LogFields | undefined }[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) => {
    lines.push({ level, message, fields });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
