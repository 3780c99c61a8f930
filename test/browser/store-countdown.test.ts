/**
 * The card-entry popup's countdown in a real Chromium (real time, a real keypad on a PTY behind a real bridge): the
 * bridge sends progress only when the keypad reports something, so the page counts the seconds left down by itself,
 * from the figure of the last progress event. Screen readers are spared the ticking: the figure sits outside every
 * live region, and a polite live region speaks only when it crosses 30 or 10 seconds.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startStoreRig, type StoreRig } from './store-rig.js';

/** The page globals the evaluate() callbacks below use (the project's type check has no DOM library). */
declare const window: { statusChanges: number };
declare class MutationObserver {
  constructor(callback: (records: unknown[]) => void);
  observe(target: unknown, options: { childList?: boolean; characterData?: boolean; subtree?: boolean }): void;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Opens the popup and resolves with the first figure it shows. */
async function openPopup(rig: StoreRig): Promise<number> {
  await rig.open('/customers.html');
  await rig.page.getByTestId('keypad-entry-button').click();
  await rig.page.getByTestId('entry-countdown').waitFor({ state: 'visible' });
  return secondsShown(rig);
}

async function secondsShown(rig: StoreRig): Promise<number> {
  const countdown = rig.page.getByTestId('entry-countdown');
  const seconds = Number(await countdown.getAttribute('data-seconds'));
  expect(await countdown.textContent()).toBe(`(残り ${seconds} 秒)`);
  return seconds;
}

async function cancel(rig: StoreRig): Promise<void> {
  await rig.page.getByTestId('card-entry-cancel').click();
  await rig.page.getByTestId('card-entry-backdrop').waitFor({ state: 'detached' });
}

describe('the card-entry popup counts down', () => {
  it('shows fewer seconds left 3 s after it opened, without touching the live status region; a key starts again from the timeout', async () => {
    const rig = await startStoreRig(browser);
    const opened = await openPopup(rig);
    expect(opened).toBeGreaterThan(50);
    expect(opened).toBeLessThanOrEqual(60);
    // Count every change to the status text (a live region) from now on: the ticking must not make any.
    await rig.page.getByTestId('entry-status').evaluate((status) => {
      window.statusChanges = 0;
      new MutationObserver((records) => (window.statusChanges += records.length)).observe(status, { childList: true, characterData: true, subtree: true });
    });
    await rig.page.waitForTimeout(3_000);
    const later = await secondsShown(rig);
    expect(later).toBeLessThan(opened);
    expect(await rig.page.evaluate(() => window.statusChanges)).toBe(0);
    expect(await rig.page.getByTestId('entry-countdown').evaluate((el) => el.closest('[aria-live], [role="status"], [role="alert"], [role="log"], [role="timer"]'))).toBeNull();
    expect(await rig.page.getByTestId('entry-countdown-announcement').textContent()).toBe(''); // no threshold crossed yet
    await rig.snapshot('popup-countdown');
    // A key resets the keypad's inactivity timeout: the countdown follows the next progress event.
    await rig.press('4', { pan: 1 });
    await expect.poll(() => secondsShown(rig)).toBeGreaterThan(later);
    await cancel(rig);
  });

  it('announces 残り 10 秒 through a polite live region when the seconds left reach 10', async () => {
    const rig = await startStoreRig(browser, { settings: { entryTimeoutSeconds: 11 } });
    const opened = await openPopup(rig);
    expect(opened).toBeGreaterThan(10);
    const announcement = rig.page.getByTestId('entry-countdown-announcement');
    expect(await announcement.getAttribute('aria-live')).toBe('polite');
    await expect.poll(() => announcement.textContent(), { timeout: 5_000 }).toBe('残り 10 秒');
    expect(await secondsShown(rig)).toBeLessThanOrEqual(10);
    await cancel(rig);
  });
});
