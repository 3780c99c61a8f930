/**
 * The browser latency harness: the demo store's order page in headless Chromium (playwright-core, Debian's
 * chromium), a real bridge in front of a virtual keypad on a real PTY, all but the browser in this process.
 * Entries run through the page's own テンキーで入力 button and popup while this process presses the keypad's keys at a
 * person's pace. Halfway between two keys the same bridge writes a bare event (GET /bench/events) that a second
 * instance of the same popup draws: the floor, measured in step with the keys so that a burst of load on a shared
 * machine hits both alike. Both are timed from the send to the painted ●, on one clock.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBridge, type BareEventSource, type RunningBridge } from '../../bridge/index.js';
import { startDemoStore, type RunningDemoStore } from '../../demo-store/index.js';
import { startSimulator, type KeypadKey, type RunningSimulator } from '../../device-sim/index.js';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { pairStrokes, type DotDraw, type DotField, type Stroke, type StrokeLatency } from './key-dot-pairing.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const PAGE_PROBE = fileURLToPath(new URL('./page-probe.js', import.meta.url));
/** Cards typed in turn (16 digits each: 20 ● per entry with the expiry). */
const CARDS = ['visa', 'mastercard', 'jcb'] as const;
/** A valid expiry for any device date before 2031 (MMYY). */
const EXPIRY = '1230';

// The page functions below run in Chromium; the bench compiles without the DOM lib.
interface PageProbe {
  now(): number;
  takeDraws(): Promise<{ entry: DotDraw[]; floor: DotDraw[] }>;
  openFloor(bridgeUrl: string): Promise<void>;
  closeFloor(): void;
}
declare const window: { __tenkeyLatencyProbe: PageProbe };

export interface LatencyOptions {
  /** Card entries typed on the keypad: 20 measured keys each (16 card digits, 4 expiry digits), and 20 bare events. */
  entries: number;
  /** Time from one key to the next: uniform between min and max (ms), a person's pace; a bare event goes halfway between. */
  gapMs: { min: number; max: number };
  /** Progress lines (stderr in the bench). */
  log?: (line: string) => void;
}

export interface LatencyReport {
  /** One per digit key pressed, in order. */
  keyToDot: StrokeLatency[];
  /** One per bare event sent, in order (as many as keyToDot). */
  floor: StrokeLatency[];
  /** The page's clock minus this process's, measured over a page round trip (ms; ± half the best round trip). */
  clockOffsetMs: number;
  clockUncertaintyMs: number;
}

/** Epoch ms with sub-ms resolution: the same wall clock as the page's performance.timeOrigin + performance.now(). */
export const nowMs = (): number => performance.timeOrigin + performance.now();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Bare events for the bridge's bench route: whatever `send` is given goes to every open stream. */
class BareEvents implements BareEventSource {
  readonly #listeners = new Set<(data: unknown) => void>();
  subscribe(listener: (data: unknown) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  get subscribers(): number {
    return this.#listeners.size;
  }
  send(data: unknown): void {
    for (const listener of this.#listeners) listener(data);
  }
}

/** Headless Debian Chromium, as the browser tests run it (test/browser/store-rig.ts); fails when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: install Debian's chromium (.ci/run does) to run the browser latency bench`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function runBrowserLatency(options: LatencyOptions): Promise<LatencyReport> {
  const { entries, gapMs } = options;
  const log = options.log ?? (() => {});
  if (!(Number.isInteger(entries) && entries >= 1)) throw new RangeError('entries must be a positive integer');
  if (!(gapMs.min >= 2 && gapMs.max >= gapMs.min)) throw new RangeError('gapMs must be { min, max } with 2 <= min <= max');
  const gap = () => gapMs.min + Math.random() * (gapMs.max - gapMs.min);

  const stateDir = mkdtempSync(join(tmpdir(), 'tenkey-latency-'));
  const bare = new BareEvents();
  let store: RunningDemoStore | undefined;
  let sim: RunningSimulator | undefined;
  let bridge: RunningBridge | undefined;
  // Chromium starts while the store, keypad and bridge do: the slowest part of the set-up on a loaded machine.
  const launching = launchChromium();
  launching.catch(() => {}); // awaited below; a failure here must not surface twice
  let browser: Browser | undefined;
  try {
    store = await startDemoStore({ port: 0 });
    sim = await startSimulator({ listen: 'pty', link: join(stateDir, 'keypad') });
    bridge = await startBridge({ device: sim.address, listen: '127.0.0.1:0', allowOrigins: [store.url], benchEvents: bare });
    store.changeSettings({ bridgePort: bridge.port });
    const running = bridge;
    await until('the bridge to connect to the keypad', () => (running.health().status === 'connected' ? true : undefined), 15_000);

    browser = await launching;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    context.setDefaultTimeout(10_000);
    await context.addInitScript({ path: PAGE_PROBE });
    const page = await context.newPage();
    await page.goto(`${store.url}/order-new.html`, { waitUntil: 'domcontentloaded' });
    await page.locator('body[data-ready="true"]').waitFor();
    const clock = await clockOffset(page);
    log(`  page clock − bench clock: ${clock.offsetMs.toFixed(2)} ms (± ${clock.uncertaintyMs.toFixed(2)})`);

    const keyToDot: StrokeLatency[] = [];
    const floor: StrokeLatency[] = [];
    const keypad = sim.keypad;
    for (let entry = 0; entry < entries; entry++) {
      // An entry through the page's own button and popup; keys wait until its event stream has drawn the empty field.
      await page.getByTestId('keypad-entry-button').click();
      await until('the keypad to start the entry', () => keypad.activeSessionId);
      await page.waitForFunction(() => document.querySelector('.entry-field[data-field="PAN"].active') !== null);
      await page.evaluate((url) => window.__tenkeyLatencyProbe.openFloor(url), running.url);
      await until('the page to subscribe to the bare event stream', () => (bare.subscribers > 0 ? true : undefined));
      await takeDraws(page);

      const keys: Stroke[] = [];
      const events: Stroke[] = [];
      const type = async (field: DotField, digits: string) => {
        for (let i = 0; i < digits.length; i++) {
          const wait = gap();
          await sleep(wait / 2);
          const at = nowMs();
          keypad.press(digits[i] as KeypadKey);
          keys.push({ field, digits: i + 1, at });
          await sleep(wait / 2);
          const sentAt = nowMs();
          const count = events.length + 1;
          bare.send({ sessionId: 0, state: 'PAN', field: 'PAN', digits: count, secondsLeft: 60, notice: 'NONE', key: 'DIGIT' });
          events.push({ field: 'PAN', digits: count, at: sentAt });
        }
        await sleep(gap());
        keypad.press('enter');
      };
      await type('PAN', TEST_CARDS[CARDS[entry % CARDS.length]!]);
      await type('EXPIRY', EXPIRY);
      await page.waitForFunction((n) => document.querySelector('[data-bench-floor] [data-testid="pan-dots"]')?.getAttribute('data-digits') === String(n), events.length);
      await page.evaluate(() => window.__tenkeyLatencyProbe.closeFloor());
      await page.getByTestId('card-entry-backdrop').waitFor({ state: 'detached' });
      // A measured entry must have read the card: once the page is done with it (its button is enabled again), the
      // store shows an error code (never a digit) otherwise.
      await page.waitForFunction(() => document.querySelector('[data-testid="keypad-entry-button"]')?.getAttribute('disabled') === null);
      const error = page.getByTestId('card-error');
      if (await error.isVisible()) throw new Error(`browser latency: entry ${entry + 1} ended with ${await error.getAttribute('data-code')}`);
      const draws = await takeDraws(page);
      keyToDot.push(...pairStrokes(keys, draws.entry));
      floor.push(...pairStrokes(events, draws.floor));
      await until('the page to close the bare event stream', () => (bare.subscribers === 0 ? true : undefined));
      log(`  entry ${entry + 1}/${entries}: ${keys.length} keys, ${events.length} bare events`);
    }
    return { keyToDot, floor, clockOffsetMs: clock.offsetMs, clockUncertaintyMs: clock.uncertaintyMs };
  } finally {
    await (browser ?? (await launching.catch(() => undefined)))?.close();
    await bridge?.close();
    await sim?.close();
    await store?.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function until<T>(what: string, test: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = test();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`browser latency: timed out waiting for ${what}`);
    await sleep(2);
  }
}

declare const document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };

function takeDraws(page: Page): Promise<{ entry: DotDraw[]; floor: DotDraw[] }> {
  return page.evaluate(() => window.__tenkeyLatencyProbe.takeDraws());
}

/**
 * The page's clock against this process's: the page's time read between two of ours, from the quickest of a few
 * round trips. Both are the machine's wall clock; this only shows that they agree (it corrects nothing).
 */
async function clockOffset(page: Page): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  let best = { offsetMs: 0, uncertaintyMs: Infinity };
  for (let i = 0; i < 20; i++) {
    const before = nowMs();
    const pageNow = await page.evaluate(() => window.__tenkeyLatencyProbe.now());
    const after = nowMs();
    if ((after - before) / 2 < best.uncertaintyMs) best = { offsetMs: pageNow - (before + after) / 2, uncertaintyMs: (after - before) / 2 };
  }
  return best;
}
