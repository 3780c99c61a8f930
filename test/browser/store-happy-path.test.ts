/**
 * The reference store in a real browser, the happy path from each of the four screens the store manual names:
 * テンキーで入力 opens the popup, ● grows as keys arrive on the keypad (a real PTY behind a real bridge), the popup
 * closes itself when entry completes, the form shows brand + ●●●● + last 3, and 確認画面に進む runs the 与信 and
 * shows brand and last 3 on the confirmation. Then: no card number or expiry ever reached the page, the
 * responses the browser got, or the bridge's and the store's logs.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TEST_CARD_NUMBERS, TEST_CARDS } from '../../device-sim/test-cards.js';
import { findCardNumbers } from '../capture/pan-scan.js';
import { launchChromium, maskedAsPrinted, startStoreRig, type StoreRig } from './store-rig.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A valid expiry (MMYY) that is unlikely to occur by chance in hex: what the no-cleartext scan looks for. */
const EXPIRY = '0931';

/** Types a card on the keypad, checking the popup's ● count on the way. */
async function typeCard(rig: StoreRig, pan: string): Promise<void> {
  await rig.press(pan.slice(0, 4), { pan: 4 });
  await expect.poll(() => rig.page.getByTestId('pan-dots').textContent()).toBe('●●●●');
  await rig.press(pan.slice(4), { pan: pan.length });
  await rig.press(`E${EXPIRY.slice(0, 2)}`, { expiry: 2 });
  await rig.press(EXPIRY.slice(2), { expiry: 4 });
}

async function happyPath(rig: StoreRig, screen: string, card: keyof typeof TEST_CARDS, brandLabel: string): Promise<void> {
  const { page } = rig;
  await rig.open(`/${screen}.html`);
  await page.getByTestId('keypad-entry-button').click();
  await page.getByTestId('card-entry-popup').waitFor({ state: 'visible' });
  const pan = TEST_CARDS[card];
  await typeCard(rig, pan);
  await rig.snapshot(screen === 'customers' ? 'popup-entry-in-progress' : undefined);
  await rig.press('E');
  await page.getByTestId('card-entry-backdrop').waitFor({ state: 'detached' });
  await expect.poll(() => page.getByTestId('masked-card').textContent()).toBe(`${brandLabel}${maskedAsPrinted(pan, card)}`);
  await expect.poll(() => page.getByTestId('card-error').isHidden()).toBe(true);
  await rig.snapshot(screen === 'customers' ? 'masked-card-on-form' : undefined);
  await page.getByTestId('confirm-button').click();
  await page.getByTestId('confirmation').waitFor({ state: 'visible' });
  await expect.poll(() => page.getByTestId('confirm-brand').textContent()).toBe(brandLabel);
  await expect.poll(() => page.getByTestId('confirm-last3').textContent()).toBe(pan.slice(-3));
  await page.getByTestId('commit-button').click();
  await page.getByTestId('committed').waitFor({ state: 'visible' });
  await rig.snapshot(`happy-${screen}`);
  expect(rig.sim.keypad.activeSessionId).toBeUndefined();
}

describe('the store pages in Chromium, happy path', () => {
  it.each([
    ['customers', 'visa', 'VISA'],
    ['order-new', 'mastercard', 'Mastercard'],
    ['orders', 'jcb', 'JCB'],
    ['subscriptions', 'american-express', 'AMEX'],
  ] as const)('%s: a %s card typed on the keypad ends on the confirmation with brand and last 3', async (screen, card, label) => {
    const rig = await startStoreRig(browser);
    await happyPath(rig, screen, card, label);
  });

  it('lets no card number or expiry reach the page, the responses, or the bridge and store logs', async () => {
    const rig = await startStoreRig(browser);
    await happyPath(rig, 'order-new', 'visa', 'VISA');
    const seen = await rig.everythingSeen();
    expect(seen.some((text) => text.includes('●●●●'))).toBe(true); // the scan did see the masked pages
    expect(seen.some((text) => text.includes('event: result') && text.includes('encryptedBlock'))).toBe(true); // and the event stream itself
    expect(rig.storeLog.length).toBeGreaterThan(3);
    expect(rig.bridge.requests.length).toBeGreaterThan(1);
    const everything = seen.join('\n');
    expect(findCardNumbers(everything, ALL_TEST_CARD_NUMBERS)).toEqual([]);
    // The expiry as text, not inside a hex run (ciphertext and tokens are hex).
    expect(everything).not.toMatch(new RegExp(`(?<![0-9a-f])${EXPIRY}(?![0-9a-f])|${EXPIRY.slice(0, 2)}\\s*/\\s*${EXPIRY.slice(2)}`, 'i'));
  });
});
