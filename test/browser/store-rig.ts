/**
 * Shared set-up of the browser tests: Debian's Chromium driven by playwright-core (no browser download), the
 * demo store on a free port, a real bridge and a virtual keypad on a real PTY. Everything a test started is
 * closed after it (the simulator and bridge by their own harnesses); every page, response body and log line
 * is kept so a test can check that no card number ever reached them.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import creditCardType from 'credit-card-type';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';
import { startDemoStore, type RunningDemoStore, type StoreSettings } from '../../demo-store/index.js';
import type { KeypadKey, RunningSimulator, SimulatorOptions } from '../../device-sim/index.js';
import { startTestBridge, type TestBridge } from '../bridge/bridge-harness.js';
import { recordingLogger, simulator } from '../host-driver/harness.js';
import { NOW } from '../device-sim/simulators.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const SCREENSHOT_DIR = join('test-results', 'screenshots');

/** One headless Chromium per test file. Fails (never skips) when Debian's chromium is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: install Debian's chromium (.ci/run does) to run the browser tests`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface StoreRig {
  sim: RunningSimulator;
  bridge: TestBridge;
  store: RunningDemoStore;
  page: Page;
  /** The store server's log lines. */
  storeLog: string[];
  /** Every request URL the page made. */
  requests: string[];
  /** Opens a store page and waits until its script has set it up. */
  open(path: string): Promise<void>;
  /** Changes the store settings through its API (as the settings screen does). */
  configure(change: Partial<StoreSettings>): Promise<void>;
  /** Presses keys (digits, E = enter, C = cancel) once the keypad runs an entry; then waits for the popup to show `pan` / `expiry` ●. */
  press(keys: string, options?: { pan?: number; expiry?: number }): Promise<void>;
  /** Keeps the page's HTML now (for the no-cleartext scan) and saves a screenshot as test-results/screenshots/<name>.png. */
  snapshot(name?: string): Promise<void>;
  /** Page HTML at every snapshot, every request the page sent and every response body it received, and every log line (store, bridge requests, driver). */
  everythingSeen(): Promise<string[]>;
}

const contexts: BrowserContext[] = [];
const stores: RunningDemoStore[] = [];

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/** What the store should show of `pan`: one ● per hidden digit, the last 3, spaced at the brand's gaps (credit-card-type). */
export function maskedAsPrinted(pan: string, brand: string): string {
  const gaps = creditCardType.getTypeInfo(brand)?.gaps ?? [4, 8, 12];
  return [...('●'.repeat(pan.length - 3) + pan.slice(-3))].map((c, i) => (gaps.includes(i) ? ` ${c}` : c)).join('');
}

/** Key script characters → keypad keys: digits, E = enter, C = cancel key. */
function keysOf(text: string): KeypadKey[] {
  return [...text].map((c) => (c === 'E' ? 'enter' : c === 'C' ? 'cancel' : (c as KeypadKey)));
}

export async function startStoreRig(
  browser: Browser,
  options: { settings?: Partial<StoreSettings>; sim?: Omit<SimulatorOptions, 'listen' | 'link'> } = {},
): Promise<StoreRig> {
  const storeLog: string[] = [];
  const store = await startDemoStore({ port: 0, log: (line) => storeLog.push(line) });
  stores.push(store);
  const sim = await simulator('pty', { now: NOW, ...options.sim });
  const driverLog = recordingLogger();
  const bridge = await startTestBridge({ device: sim.address, allowOrigins: [store.url], logger: driverLog });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  contexts.push(context);
  context.setDefaultTimeout(5000);
  const page = await context.newPage();
  const requests: string[] = [];
  const bodies: Promise<string>[] = [];
  const pages: string[] = [];
  const sent: string[] = [];
  page.on('request', (request) => {
    requests.push(request.url());
    sent.push(`${request.url()} ${request.postData() ?? ''}`);
  });
  // SSE bodies end with the entry; one still open at the end of the test is read as far as it got (or not at all).
  page.on('response', (response) => bodies.push(response.text().catch(() => '')));

  const rig: StoreRig = {
    sim, bridge, store, page, storeLog, requests,
    async open(path) {
      await page.goto(`${store.url}${path}`, { waitUntil: 'domcontentloaded' });
      await page.locator('body[data-ready="true"]').waitFor();
    },
    async configure(change) {
      const res = await fetch(`${store.url}/api/settings`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(change) });
      expect(res.status).toBe(200);
    },
    async press(keys, expected = {}) {
      await expect.poll(() => sim.keypad.activeSessionId, { timeout: 5000 }).toBeDefined();
      for (const key of keysOf(keys)) sim.keypad.press(key); // false once the keypad ended the entry (e.g. a refused brand)
      if (expected.pan !== undefined) await expect.poll(() => page.getByTestId('pan-dots').getAttribute('data-digits')).toBe(String(expected.pan));
      if (expected.expiry !== undefined) await expect.poll(() => page.getByTestId('expiry-dots').getAttribute('data-digits')).toBe(String(expected.expiry));
    },
    async snapshot(name) {
      pages.push(await page.content());
      if (name !== undefined) {
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        const error = page.getByTestId('card-error');
        if (await error.isVisible()) await error.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) }); // the viewport: what staff see, and quicker
      }
    },
    async everythingSeen() {
      const settled = await Promise.all(bodies.map((b) => Promise.race([b, new Promise<string>((r) => setTimeout(() => r(''), 1000))])));
      // The browser's copy of an event stream is lost when the page closes it as the server ends it (a race), so
      // each stream the page opened is read again in full as a late subscriber gets it (HTTP-API.md: from event 1).
      const streams = await Promise.all(requests.filter((url) => /\/entries\/[^/]+\/events\?/.test(url))
        .map((url) => fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.text(), () => '')));
      return [
        ...pages, ...sent, ...settled, ...streams, ...storeLog,
        ...bridge.requests.map((r) => JSON.stringify(r)), ...driverLog.lines.map((l) => JSON.stringify(l)),
      ];
    },
  };
  await rig.configure({ bridgePort: bridge.bridge.port, ...options.settings });
  return rig;
}
