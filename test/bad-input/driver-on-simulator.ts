/**
 * The real host driver reading from a real virtual keypad (TCP, or a PTY when a row is about the port): the keypad
 * types a key script at START_ENTRY, and every progress event the store would see is kept.
 */
import type { SimulatedClock } from 'xstate';
import { expect, vi } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../device-sim/index.js';
import { formatKeyScript } from '../../device-sim/key-script.js';
import { expandKeyScript } from '../../device-sim/test-cards.js';
import { openTenkey, type EntryProgress, type OpenTenkeyOptions, type TenkeyKeypad } from '../../host-driver/index.js';
import { MAX_TIMER_MS } from '../../protocol/constants.js';
import { NOW } from '../device-sim/simulators.js';
import type { Defer } from './check-scope.js';

/** The keypad's calendar day (YYYY-MM-DD): exp:valid and exp:expired are relative to it. */
const DEVICE_DATE = NOW().toISOString().slice(0, 10);

/** A key script from scenario items (pan:NAME, exp:valid, exp:expired, up to 4 digits, key names): cards by name only. */
export function keysOf(...items: string[]): string {
  return formatKeyScript(expandKeyScript(items, DEVICE_DATE).map((key) => ({ kind: 'key' as const, key })));
}

export interface DriverOnSimulatorOptions {
  /** Where the keypad serves; default 'tcp'. */
  transport?: 'tcp' | 'pty';
  /** Key script the keypad types at START_ENTRY. */
  keys?: string;
  /** The store's 利用サービス (the driver's `service`). */
  service?: string;
  /** One virtual clock for both sides (keepalive off: a jump of the clock would read as silence). */
  clock?: SimulatedClock;
}

export interface DriverOnSimulator {
  sim: RunningSimulator;
  keypad: TenkeyKeypad;
  /** Every progress event, in order. */
  progress: EntryProgress[];
}

export async function driverOnSimulator(defer: Defer, options: DriverOnSimulatorOptions = {}): Promise<DriverOnSimulator> {
  const { keys, service, clock } = options;
  const sim = await startSimulator({
    listen: options.transport === 'pty' ? 'pty' : 'tcp://127.0.0.1:0', now: NOW, ...(keys !== undefined ? { keys } : {}),
    // On a shared virtual clock the driver's keepalive is off (below), so the keypad's silent-host limit (§6.4) is too.
    ...(clock ? { clock, dropSilentHostAfterMs: MAX_TIMER_MS } : {}),
  });
  defer(() => sim.close());
  const keypad = await openTenkey({
    device: sim.address,
    reconnect: false,
    ...(service !== undefined ? { service } : {}),
    ...(clock ? { clock, link: { pingIntervalMs: false, deadAfterMs: false } } : {}),
  });
  defer(() => keypad.close());
  const progress: EntryProgress[] = [];
  keypad.on('progress', (p) => progress.push(p));
  return { sim, keypad, progress };
}

/** Resolves once the keypad reports the entry open in the PAN field (5 s liveness bound, not a speed assertion). */
export function entryOpen(progress: readonly EntryProgress[]): Promise<void> {
  return vi.waitFor(() => expect(progress.at(-1)?.state).toBe('PAN'), { timeout: 5000 });
}

/** What openTenkey rejects with; undefined when it opens after all (that keypad is closed with the scope). */
export async function openFailure(defer: Defer, options: OpenTenkeyOptions): Promise<unknown> {
  try {
    const keypad = await openTenkey(options);
    defer(() => keypad.close());
    return undefined;
  } catch (error) {
    return error;
  }
}
