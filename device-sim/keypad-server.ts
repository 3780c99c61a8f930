/**
 * A running virtual keypad on a real transport: a PTY the host opens like a USB serial port (optionally through a
 * stable symlink), or a TCP listener on the store LAN that serves one host at a time. Also plays unplug/replug.
 */
import { systemClock, type Clock } from '../protocol/clock.js';
import { CodedError } from '../protocol/coded-error.js';
import { DEFAULT_TCP_HOST, DEFAULT_TCP_PORT, HOST_SILENT_DROP_MS, MAX_TIMER_MS } from '../protocol/constants.js';
import { parseDeviceAddress } from './transport/address.js';
import { PtyPort } from './transport/pty-port.js';
import { listenTcp, type TcpListener } from './transport/tcp-listener.js';
import type { FaultSpec } from './faults/fault-spec.js';
import { busyRefusalFrame, VirtualKeypad, type VirtualKeypadOptions } from './virtual-keypad.js';
import { seededRandomBytes } from './crypto/seeded-random-bytes.js';

export interface SimulatorOptions {
  /** 'pty' (default), or `tcp://HOST:PORT` to listen on (port 0 = any free port; `tcp://` alone = 127.0.0.1:7780). */
  listen?: 'pty' | `tcp://${string}`;
  /** PTY only: stable symlink the host opens; it survives vanish()/reappear(). Its folder must exist. */
  link?: string;
  /** Key script typed from its start at each START_ENTRY (device-sim/key-script.ts). */
  keys?: string;
  /** Card service id → accepted brands (device-sim/services.ts); default 'all'. */
  service?: string;
  /** Faults (device-sim/faults/fault-spec.ts): a SPEC string or a (partial) FaultSpec. */
  faults?: Partial<FaultSpec> | string;
  /** Timers: entry machine, link, script waits, fault delays, vanish-after. Default systemClock. */
  clock?: Clock;
  /** Device calendar (expiry check). */
  now?: () => Date;
  /**
   * DUKPT counter of the first transaction (default 1). Without `counterFile` it is not persisted: each simulator
   * starts here again and reuses KSNs (tests only). With it, it may only move the saved counter forward.
   */
  keyCounter?: number;
  /** VirtualKeypadOptions.counterFile: the state file keeping the DUKPT counter across runs (`tenkey sim` uses one). */
  counterFile?: string;
  /** Seed for the card block's IV and fill (seededRandomBytes): RESULT bytes repeat. Captures and replays only. */
  cardBlockSeed?: number;
  /** VirtualKeypadOptions.mergeKeyReports: false sends a KEY for every key even when keys outrun the line. Default true. */
  mergeKeyReports?: boolean;
  /**
   * TCP only: close the host's connection after this long with no valid frame from it (PROTOCOL.md §6.4), on the
   * keypad's clock. Default HOST_SILENT_DROP_MS; shorter only to test it quickly.
   */
  dropSilentHostAfterMs?: number;
}

export interface RunningSimulator {
  /** What the host opens: the PTY path (or the link), or `tcp://127.0.0.1:PORT`. */
  readonly address: string;
  readonly transport: 'pty' | 'tcp';
  readonly keypad: VirtualKeypad;
  /** False between vanish() and reappear(). */
  readonly present: boolean;
  /** "Unplug": the PTY is closed (its path disappears) / the TCP connection dropped and the listener stopped. */
  vanish(): Promise<void>;
  /** "Plug back": a new PTY behind the same link (the bare /dev/pts path may change) / listening on the same port. */
  reappear(): Promise<void>;
  /** Stops everything. Idempotent, never rejects. */
  close(): Promise<void>;
}

export class SimulatorOptionsError extends CodedError<'BAD_OPTIONS'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BAD_OPTIONS', message, options);
  }
}

/** Where a simulator serves: a PTY, or a TCP host and port (parseListen's answer). */
export type Listen = { kind: 'pty' } | { kind: 'tcp'; host: string; port: number };

/** `listen` as the simulator understands it; throws SimulatorOptionsError or DeviceAddressError. */
export function parseListen(listen: string | undefined): Listen {
  if (listen === undefined || listen === 'pty') return { kind: 'pty' };
  if (!/^tcp:\/\//i.test(listen)) {
    throw new SimulatorOptionsError(`listen must be "pty" or tcp://HOST:PORT, got "${listen}"`);
  }
  // `tcp://` or `tcp://HOST` without a port: the keypad's default port.
  const bare = /^tcp:\/\/([^:/[\]]*)\/?$/i.exec(listen.trim());
  const text = bare === null ? listen : `tcp://${bare[1] === '' ? DEFAULT_TCP_HOST : bare[1]}:${DEFAULT_TCP_PORT}`;
  const address = parseDeviceAddress(text, { allowEphemeralPort: true });
  if (address.kind !== 'tcp') throw new SimulatorOptionsError(`listen must be "pty" or tcp://HOST:PORT, got "${listen}"`);
  return address;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const listen = parseListen(options.listen);
  if (options.link !== undefined && listen.kind !== 'pty') throw new SimulatorOptionsError('"link" is for a PTY keypad only');
  const dropAfter = options.dropSilentHostAfterMs;
  if (dropAfter !== undefined && (typeof dropAfter !== 'number' || !(dropAfter > 0 && dropAfter <= MAX_TIMER_MS))) {
    throw new SimulatorOptionsError(`dropSilentHostAfterMs must be a positive number of milliseconds up to ${MAX_TIMER_MS}`);
  }
  const clock = options.clock ?? systemClock;
  const keypadOptions: VirtualKeypadOptions = { clock };
  if (options.now !== undefined) keypadOptions.now = options.now;
  if (options.keys !== undefined) keypadOptions.keys = options.keys;
  if (options.service !== undefined) keypadOptions.service = options.service;
  if (options.faults !== undefined) keypadOptions.faults = options.faults;
  if (options.keyCounter !== undefined) keypadOptions.keyCounter = options.keyCounter;
  if (options.counterFile !== undefined) keypadOptions.counterFile = options.counterFile;
  if (options.cardBlockSeed !== undefined) keypadOptions.cardBlockRandom = seededRandomBytes(options.cardBlockSeed);
  if (options.mergeKeyReports !== undefined) keypadOptions.mergeKeyReports = options.mergeKeyReports;
  const keypad = new VirtualKeypad(keypadOptions);

  let simulator: PtySimulator | TcpSimulator;
  try {
    simulator = listen.kind === 'pty'
      ? new PtySimulator(keypad, options.link)
      : await TcpSimulator.start(keypad, listen.host, listen.port, options.dropSilentHostAfterMs ?? HOST_SILENT_DROP_MS);
  } catch (error) {
    keypad.close();
    throw error;
  }
  const { vanishAfterMs } = keypad.faults;
  if (vanishAfterMs !== null) {
    const timer = clock.setTimeout(() => { void simulator.vanish(); }, vanishAfterMs);
    simulator.onClose(() => clock.clearTimeout(timer));
  }
  return simulator;
}

/** Shared close bookkeeping. */
abstract class SimulatorBase {
  #closing: Promise<void> | undefined;
  readonly #onClose: (() => void)[] = [];

  constructor(readonly keypad: VirtualKeypad) {}

  onClose(callback: () => void): void {
    this.#onClose.push(callback);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const callback of this.#onClose) callback();
      this.keypad.close();
      await this.release();
    })();
    return this.#closing;
  }

  protected get closed(): boolean {
    return this.#closing !== undefined;
  }

  protected abstract release(): Promise<void>;
}

class PtySimulator extends SimulatorBase implements RunningSimulator {
  readonly transport = 'pty';
  #port: PtyPort | undefined;
  #lastPath: string;

  constructor(keypad: VirtualKeypad, private readonly link: string | undefined) {
    super(keypad);
    this.#port = this.#open();
    this.#lastPath = this.#port.path;
  }

  get address(): string {
    return this.link ?? this.#port?.path ?? this.#lastPath;
  }

  get present(): boolean {
    return this.#port !== undefined;
  }

  async vanish(): Promise<void> {
    const port = this.#port;
    this.#port = undefined;
    if (port === undefined) return;
    this.keypad.detach();
    await port.close();
  }

  async reappear(): Promise<void> {
    if (this.closed) throw new SimulatorOptionsError('the simulator was closed');
    if (this.#port !== undefined) return;
    this.#port = this.#open();
    this.#lastPath = this.#port.path;
  }

  protected release(): Promise<void> {
    return this.vanish();
  }

  #open(): PtyPort {
    const port = PtyPort.open(this.link === undefined ? {} : { link: this.link });
    port.on('error', () => {}); // a broken PTY closes, and the keypad detaches on close: nothing more to do
    this.keypad.attach(port);
    return port;
  }
}

class TcpSimulator extends SimulatorBase implements RunningSimulator {
  readonly transport = 'tcp';

  private constructor(keypad: VirtualKeypad, private readonly listener: TcpListener) {
    super(keypad);
  }

  static async start(keypad: VirtualKeypad, host: string, port: number, dropSilentAfterMs: number): Promise<TcpSimulator> {
    const listener = await listenTcp({
      host,
      port,
      onConnection: (socket) => keypad.attach(socket, { closeOnDrop: true, dropSilentAfterMs }),
      // A host silent past LINK_DEAD is gone (§6.4): a new connection replaces it instead of being refused.
      isHostGone: (socket) => keypad.attachment?.stream === socket && keypad.hostSilent,
      // The refusal is the only frame the keypad ever volunteers: a second host must learn why it was closed.
      onRejected: (socket) => socket.write(busyRefusalFrame()),
      // The linger is socket housekeeping, not protocol time: real time even when the keypad runs on a simulated clock.
      clock: systemClock,
    });
    return new TcpSimulator(keypad, listener);
  }

  get address(): string {
    return this.listener.address;
  }

  get present(): boolean {
    return this.listener.listening;
  }

  async vanish(): Promise<void> {
    this.keypad.detach();
    await this.listener.pause();
  }

  async reappear(): Promise<void> {
    if (this.closed) throw new SimulatorOptionsError('the simulator was closed');
    await this.listener.resume();
  }

  protected release(): Promise<void> {
    return this.listener.close();
  }
}
