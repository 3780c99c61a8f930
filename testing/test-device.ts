/**
 * The device side of the test kit: the real VirtualKeypad, the person at it (who types what each queued TestEntry
 * says when the keypad asks for a card), and the cable to the driver, which a test can pull out and plug back in.
 * Like Stripe Terminal's simulated reader, what the next entry does is set from code before the store asks.
 */
import type { SessionEnd, VirtualKeypad } from '../device-sim/virtual-keypad.js';
import type { DisplaySnapshot } from '../device-sim/display.js';
import { runKeyScript, type KeyScriptRun, type KeyScriptStep } from '../device-sim/key-script.js';
import type { ByteTransport } from '../host-driver/transport/byte-transport.js';
import type { Clock } from '../protocol/clock.js';
import type { EntryStateName } from '../protocol/messages.js';
import { TestKeypadError } from './errors.js';
import { memoryCable } from './memory-cable.js';
import { entryTypingOf, type EntryTyping, type TestEntry } from './test-entry.js';

/** The address the driver reports for the kit's keypad (DeviceInfo.address, events). */
export const TEST_KEYPAD_ADDRESS = 'memory://test-keypad';

/** How the device waits for the driver to notice a pulled or replugged cable (supplied by the kit). */
export interface DriverWatch {
  /** Resolves once the driver is in `state`; rejects with TestKeypadError when it will not get there. */
  until(state: 'connected' | 'not-connected'): Promise<void>;
}

interface DeviceSettings {
  clock: Clock;
  /** The keypad's calendar date ('valid' and 'expired' expiries are relative to it). */
  deviceDate: Date;
  /** What an entry does when nothing is queued. */
  defaultEntry: TestEntry;
  driver: DriverWatch;
}

/** The entry being typed: its session and what is left to type at the expiry prompt. */
interface Typing {
  sessionId: number;
  typing: EntryTyping;
  expiryStarted: boolean;
}

export class TestDevice {
  /** The simulated keypad itself (display(), press(), type(), its events), for what the methods here do not cover. */
  readonly virtualKeypad: VirtualKeypad;
  readonly #settings: DeviceSettings;
  readonly #defaultTyping: EntryTyping;
  readonly #queue: EntryTyping[] = [];
  readonly #sessionEnds: SessionEnd[] = [];
  /** Typing in progress, by the session it types for. */
  readonly #runs = new Map<KeyScriptRun, number>();
  #current: Typing | undefined;
  #plugged = true;
  #closed = false;

  /** @internal Built by createTestKeypad. */
  constructor(virtualKeypad: VirtualKeypad, settings: DeviceSettings) {
    this.virtualKeypad = virtualKeypad;
    this.#settings = settings;
    this.#defaultTyping = entryTypingOf(settings.defaultEntry, settings.deviceDate);
    virtualKeypad.on('state', (state, display) => this.#stateChanged(state, display));
    virtualKeypad.on('session-end', (end) => {
      this.#sessionEnds.push(end);
      // Keys still to type (after a <wait:…>) would only be ignored: stop them, so no timer outlives the entry.
      for (const [run, sessionId] of this.#runs) if (sessionId === end.sessionId) run.stop();
    });
  }

  /**
   * Queues what the next entries do, one TestEntry per entry the driver starts, in order; an entry started with
   * nothing queued does what createTestKeypad's `defaultEntry` says (default 'timeout': nobody types). Every entry
   * is checked before any is queued: throws TestKeypadError (UNKNOWN_CARD, BAD_CARD_NUMBER, BAD_EXPIRY, BAD_ENTRY)
   * or KeyScriptError.
   */
  nextEntry(...entries: TestEntry[]): this {
    this.#assertOpen();
    const typings = entries.map((entry) => entryTypingOf(entry, this.#settings.deviceDate));
    this.#queue.push(...typings);
    return this;
  }

  /** Entries queued and not started yet. */
  get queuedEntries(): number {
    return this.#queue.length;
  }

  /** Drops every queued entry. */
  clearQueue(): void {
    this.#queue.length = 0;
  }

  /** How each entry ended on the keypad, oldest first ('done', 'timeout', 'cancelled', 'failed', 'aborted'), with its error code. */
  get sessionEnds(): readonly SessionEnd[] {
    return [...this.#sessionEnds];
  }

  /** What the keypad's screen shows now (never card digits). */
  display(): DisplaySnapshot {
    return this.virtualKeypad.display();
  }

  /** False between unplug() and replug(). */
  get plugged(): boolean {
    return this.#plugged;
  }

  /**
   * Pulls the cable: the keypad drops its connection (a running entry ends on it silently) and the driver sees the
   * link go, as with a real keypad unplugged; until replug(), every reconnect attempt fails (ENOENT, as a serial
   * port that is gone). Resolves once the driver has noticed (status no longer 'connected').
   */
  async unplug(): Promise<void> {
    this.#assertOpen();
    this.pullCable();
    await this.#settings.driver.until('not-connected');
  }

  /** Plugs the cable back in and resolves once the driver has reconnected by itself (its backoff, HELLO → INFO). */
  async replug(): Promise<void> {
    this.#assertOpen();
    this.#plugged = true;
    await this.#settings.driver.until('connected');
  }

  /** @internal Unplugs without waiting (the vanish-after fault). */
  pullCable(): void {
    this.#plugged = false;
    this.virtualKeypad.attachment?.stream.destroy();
  }

  /** @internal The driver's openTransport: a new cable for every (re)connect, as a new port open would be. */
  async connect(): Promise<ByteTransport> {
    if (this.#closed || !this.#plugged) {
      throw Object.assign(new Error(`${TEST_KEYPAD_ADDRESS}: keypad unplugged`), { code: 'ENOENT' });
    }
    const cable = memoryCable({ description: TEST_KEYPAD_ADDRESS });
    this.virtualKeypad.attach(cable.device);
    return cable.host;
  }

  /** @internal Stops the typing and closes the keypad (its keys are wiped). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const run of this.#runs.keys()) run.stop();
    this.#runs.clear();
    this.#queue.length = 0;
    this.virtualKeypad.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new TestKeypadError('CLOSED', 'the test keypad is closed');
  }

  /** The person at the keypad: types the next plan when a new entry asks for a card, and its expiry when asked. */
  #stateChanged(state: EntryStateName, display: DisplaySnapshot): void {
    const { sessionId } = display;
    if (state === 'PAN' && sessionId !== this.#current?.sessionId) {
      // Recorded before typing: the expiry prompt can open inside this very call.
      const current: Typing = { sessionId, typing: this.#queue.shift() ?? this.#defaultTyping, expiryStarted: false };
      this.#current = current;
      this.#type(current.typing.pan, sessionId);
    } else if (state === 'EXPIRY' && this.#current?.sessionId === sessionId && !this.#current.expiryStarted) {
      this.#current.expiryStarted = true;
      this.#type(this.#current.typing.expiry, sessionId);
    }
  }

  #type(steps: readonly KeyScriptStep[], sessionId: number): void {
    if (steps.length === 0) return;
    const keypad = this.virtualKeypad;
    const run = runKeyScript(steps, (key) => {
      if (keypad.activeSessionId === sessionId) keypad.press(key);
    }, this.#settings.clock);
    this.#runs.set(run, sessionId);
    void run.finished.then(() => this.#runs.delete(run));
  }
}
