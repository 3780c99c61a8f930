/**
 * createTestKeypad: the real driver (TenkeyKeypad, the same code openTenkey runs) connected over an in-memory cable
 * to the real virtual keypad, in this process: no PTY, no socket, no native code. On virtual time (the default) one
 * SteppingClock drives the driver, the keypad and the typing, and waits (the 60 s entry timeout, reconnect
 * backoff, keepalives) pass only in run() and advance(), as fast as the work allows.
 */
import { VirtualKeypad, type DeviceIdentity } from '../device-sim/virtual-keypad.js';
import { toFaultSpec, type FaultSpec } from '../device-sim/faults/fault-spec.js';
import { checkedOpenSettings } from '../host-driver/open-settings.js';
import { openTenkeyOverTransport } from '../host-driver/open-over-transport.js';
import type { OpenTenkeyOptions } from '../host-driver/options.js';
import type { TenkeyKeypad } from '../host-driver/tenkey-keypad.js';
import { systemClock, type Clock } from '../protocol/clock.js';
import { TestKeypadError } from './errors.js';
import { ProcessWideTestDukpt } from './process-dukpt.js';
import type { TestEntry } from './test-entry.js';
import { TEST_KEYPAD_ADDRESS, TestDevice } from './test-device.js';
import { VirtualTime } from './virtual-time.js';

/** The simulated keypad's own settings (what `tenkey sim` takes as flags). */
export interface TestDeviceOptions {
  /** The keypad's card service (`tenkey sim --service`): the brands it accepts. Default 'all'. Throws UnknownServiceError. */
  service?: string;
  /**
   * Faults (device-sim/faults, the `--fault` syntax or an object): byte faults on the keypad's side of the cable
   * in both directions, `silent`, `busy`, `exhaust-key`, and `vanish-after` (the cable is pulled that long after
   * the kit opened). Throws FaultSpecError.
   */
  faults?: Partial<FaultSpec> | string;
  /** The keypad's calendar (expiry checks; 'valid' and 'expired' test expiries are relative to it). Default today. */
  date?: Date;
  /**
   * DUKPT counter of the first entry (TEST keys, kept in memory: a kit given the same value starts there again).
   * Default: the process-wide counter, so each entry of any kit continues after the last counter any kit used.
   */
  keyCounter?: number;
  identity?: Partial<DeviceIdentity>;
}

/** openTenkey's options that apply to the kit (the keypad's address and clock are the kit's). */
export type TestDriverOptions = Pick<OpenTenkeyOptions, 'service' | 'logger' | 'reconnect' | 'connectTimeoutMs' | 'link'>;

export interface TestKeypadOptions extends TestDriverOptions {
  /** 'virtual' (default): time passes only in run() and advance(); 'real': the system clock. */
  time?: 'virtual' | 'real';
  device?: TestDeviceOptions;
  /** What an entry does when nothing is queued with device.nextEntry(). Default 'timeout': nobody types. */
  defaultEntry?: TestEntry;
}

/** How long run() lets virtual time pass by default: beyond the driver's own 310 s guard on any entry. */
const DEFAULT_VIRTUAL_LIMIT_MS = 10 * 60_000;
/** How long unplug() and replug() wait for the driver (virtual or real ms): its backoff tops out at 5 s by default. */
const DRIVER_WAIT_MS = 60_000;
/** Opening: the handshake's own timeout ends it first. */
const OPEN_LIMIT_MS = 60_000;

/** What createTestKeypad resolves with. */
export class TestKeypad {
  /** The driver, exactly as openTenkey returns it. */
  readonly keypad: TenkeyKeypad;
  /** The keypad's side: queue entries, unplug, replug, look at its screen. */
  readonly device: TestDevice;
  /** 'virtual' or 'real'. */
  readonly time: 'virtual' | 'real';
  /** The clock the driver and the keypad run on (a SteppingClock on virtual time, else the system clock). */
  readonly clock: Clock;
  readonly #virtual: VirtualTime | undefined;
  readonly #onClose: () => void;
  #closing: Promise<void> | undefined;

  /** @internal Built by createTestKeypad. */
  constructor(parts: { keypad: TenkeyKeypad; device: TestDevice; virtual: VirtualTime | undefined; onClose: () => void }) {
    this.keypad = parts.keypad;
    this.device = parts.device;
    this.#virtual = parts.virtual;
    this.time = parts.virtual === undefined ? 'real' : 'virtual';
    this.clock = parts.virtual?.clock ?? systemClock;
    this.#onClose = parts.onClose;
  }

  /**
   * Lets `promise` (a readCard, a ping, …) run to its end and resolves or rejects as it does. On virtual time,
   * time runs (every due timer fires, in order) until it settles, at most `limitMs` of virtual time (default
   * 10 minutes); on real time it waits, at most `limitMs` when given. Past the limit: TestKeypadError STILL_PENDING.
   */
  async run<T>(promise: Promise<T>, options: { limitMs?: number } = {}): Promise<T> {
    return settleWithin(this.#virtual, promise, options.limitMs ?? (this.#virtual ? DEFAULT_VIRTUAL_LIMIT_MS : undefined), 'the promise');
  }

  /** Lets `ms` of virtual time pass (firing every timer due in it). Virtual time only: throws TestKeypadError REAL_TIME. */
  async advance(ms: number): Promise<void> {
    if (this.#virtual === undefined) throw new TestKeypadError('REAL_TIME', 'advance() needs time: "virtual"');
    if (!(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0)) throw new TestKeypadError('BAD_OPTION', 'advance(ms) takes a finite number of ms, 0 or more');
    await this.#virtual.advance(ms);
  }

  /** Virtual ms since the kit was created, or Date.now() on real time. */
  now(): number {
    return this.clock.now();
  }

  /** Closes the driver (any entry ends) and the keypad; afterwards no timer or handle of the kit is left. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        // A running entry's CANCEL may wait for its ACK: on virtual time that wait must be allowed to pass.
        await settleWithin(this.#virtual, this.keypad.close(), this.#virtual ? DRIVER_WAIT_MS : undefined, 'closing the driver');
      } finally {
        this.#onClose();
      }
    })();
    return this.#closing;
  }
}

/**
 * The real driver over an in-memory cable to the real virtual keypad. Rejects with TestKeypadError (BAD_OPTION,
 * and the entry checks of `defaultEntry`), the simulator's own errors (UnknownServiceError, FaultSpecError,
 * KeyScriptError) or, as openTenkey does, a TenkeyError (INVALID_OPTIONS, UNKNOWN_SERVICE, a failed handshake).
 *
 * @example
 * const kit = await createTestKeypad();
 * kit.device.nextEntry({ card: 'visa' });
 * const card = await kit.run(kit.keypad.readCard());
 * await kit.close();
 */
export async function createTestKeypad(options: TestKeypadOptions = {}): Promise<TestKeypad> {
  if (typeof options !== 'object' || options === null) throw new TestKeypadError('BAD_OPTION', 'createTestKeypad options must be an object');
  const { time = 'virtual', device: deviceOptions = {}, defaultEntry = 'timeout' } = options;
  if (time !== 'virtual' && time !== 'real') throw new TestKeypadError('BAD_OPTION', `time must be 'virtual' or 'real'`);
  const date = deviceOptions.date ?? new Date();
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new TestKeypadError('BAD_OPTION', 'device.date must be a valid Date');
  const virtual = time === 'virtual' ? new VirtualTime() : undefined;
  const clock = virtual?.clock ?? systemClock;
  // The driver's options first: a mistake there must not leave a keypad behind.
  const settings = checkedOpenSettings({ ...driverOptionsOf(options), clock });

  const virtualKeypad = new VirtualKeypad({
    clock,
    now: () => date,
    ...(deviceOptions.service !== undefined ? { service: deviceOptions.service } : {}),
    ...(deviceOptions.faults !== undefined ? { faults: deviceOptions.faults } : {}),
    ...(deviceOptions.keyCounter !== undefined ? { keyCounter: deviceOptions.keyCounter } : {}),
    // exhaust-key brings its own spent register; a given keyCounter keeps its own in-memory one.
    ...(deviceOptions.keyCounter === undefined && !toFaultSpec(deviceOptions.faults).exhaustKey ? { dukpt: new ProcessWideTestDukpt() } : {}),
    ...(deviceOptions.identity !== undefined ? { identity: deviceOptions.identity } : {}),
  });
  let keypad: TenkeyKeypad | undefined;
  let device: TestDevice;
  try {
    device = new TestDevice(virtualKeypad, {
      clock, deviceDate: date, defaultEntry,
      driver: { until: (state) => driverReaches(keypad, virtual, state) },
    });
  } catch (error) {
    virtualKeypad.close();
    throw error;
  }
  try {
    const opening = openTenkeyOverTransport({ ...settings, address: TEST_KEYPAD_ADDRESS, openTransport: () => device.connect() });
    keypad = await settleWithin(virtual, opening, virtual ? OPEN_LIMIT_MS : undefined, 'opening the driver');
  } catch (error) {
    device.close();
    throw error;
  }

  const { vanishAfterMs } = virtualKeypad.faults;
  const vanish = vanishAfterMs === null ? undefined : clock.setTimeout(() => device.pullCable(), vanishAfterMs);
  return new TestKeypad({
    keypad, device, virtual,
    onClose: () => {
      if (vanish !== undefined) clock.clearTimeout(vanish);
      device.close();
    },
  });
}

function driverOptionsOf(options: TestKeypadOptions): OpenTenkeyOptions {
  const { service, logger, reconnect, connectTimeoutMs, link } = options;
  return {
    ...(service !== undefined ? { service } : {}),
    ...(logger !== undefined ? { logger } : {}),
    ...(reconnect !== undefined ? { reconnect } : {}),
    ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    ...(link !== undefined ? { link } : {}),
  };
}

/** Resolves or rejects as `promise` does; on virtual time lets time run meanwhile. Past `limitMs`: STILL_PENDING. */
async function settleWithin<T>(virtual: VirtualTime | undefined, promise: Promise<T>, limitMs: number | undefined, what: string): Promise<T> {
  if (virtual !== undefined) {
    if (!(await virtual.runUntilSettled(promise, limitMs ?? DEFAULT_VIRTUAL_LIMIT_MS))) {
      promise.catch(() => undefined); // it may still reject later; the caller has its error already
      throw new TestKeypadError('STILL_PENDING', `${what} did not settle within ${limitMs} ms of virtual time`);
    }
    return promise;
  }
  if (limitMs === undefined) return promise;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TestKeypadError('STILL_PENDING', `${what} did not settle within ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
    promise.catch(() => undefined);
  }
}

/** Waits (running virtual time) until the driver is connected again, or has noticed that it is not. */
async function driverReaches(keypad: TenkeyKeypad | undefined, virtual: VirtualTime | undefined, state: 'connected' | 'not-connected'): Promise<void> {
  if (keypad === undefined) return; // still opening: the open itself waits for the cable
  const reached = (): boolean => (state === 'connected') === (keypad.status === 'connected');
  if (reached()) return;
  if (keypad.status === 'closed') throw new TestKeypadError('CLOSED', 'the driver is closed: it does not reconnect (closed, or reconnect: false)');
  const arrived = new Promise<void>((resolve, reject) => {
    const onConnection = (): void => {
      if (!reached() && keypad.status !== 'closed') return;
      keypad.off('connection', onConnection);
      if (reached()) resolve();
      else reject(new TestKeypadError('CLOSED', 'the driver closed instead of reconnecting'));
    };
    keypad.on('connection', onConnection);
  });
  await settleWithin(virtual, arrived, DRIVER_WAIT_MS, state === 'connected' ? 'reconnecting the driver' : 'the driver noticing the unplug');
}
