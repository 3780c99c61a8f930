/**
 * The reference store in a real browser when entry or 与信 does not go through: each case shows the store
 * manual's message for its condition (served from host-driver STORE_MESSAGES, compared here with that table),
 * and the popup behaves as the manual says (the grey backdrop does not close it; キャンセル does, without error).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTHORIZATION_TEST_CARDS, TEST_CARDS } from '../../device-sim/test-cards.js';
import { STORE_MESSAGES, type TenkeyErrorCode } from '../../host-driver/errors.js';
import { runBridge } from '../bridge/bridge-process.js';
import { launchChromium, maskedAsPrinted, startStoreRig, type StoreRig } from './store-rig.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const EXPIRY = '1230';

async function openEntry(rig: StoreRig, screen = 'order-new'): Promise<void> {
  await rig.open(`/${screen}.html`);
  await rig.page.getByTestId('keypad-entry-button').click();
  await rig.page.getByTestId('card-entry-popup').waitFor({ state: 'visible' });
}

/** Types a whole card with its expiry and waits for the popup to close itself. */
async function enterCard(rig: StoreRig, pan: string): Promise<void> {
  await openEntry(rig);
  await rig.press(`${pan}E${EXPIRY}E`);
  await rig.page.getByTestId('card-entry-backdrop').waitFor({ state: 'detached' });
  await expect.poll(() => rig.page.getByTestId('masked-card').textContent()).toContain(pan.slice(-3));
}

async function expectStoreMessage(rig: StoreRig, code: TenkeyErrorCode): Promise<void> {
  const error = rig.page.getByTestId('card-error');
  await error.waitFor({ state: 'visible' });
  expect(await error.textContent()).toBe(STORE_MESSAGES[code].ja);
}

describe('the store pages in Chromium, when things go wrong', () => {
  it('ignores a click on the grey backdrop: the popup stays and the entry goes on', async () => {
    const rig = await startStoreRig(browser);
    await openEntry(rig, 'customers');
    await rig.press(TEST_CARDS.visa.slice(0, 6), { pan: 6 });
    await rig.page.getByTestId('card-entry-backdrop').click({ position: { x: 20, y: 20 } });
    expect(await rig.page.getByTestId('card-entry-popup').isVisible()).toBe(true);
    // The entry goes on right after the click: the next key is one more ● in the same popup.
    await rig.press(TEST_CARDS.visa.slice(6, 7), { pan: 7 });
    expect(await rig.page.getByTestId('pan-dots').textContent()).toBe('●●●● ●●●');
    await rig.snapshot('backdrop-click-ignored');
    await rig.press(`${TEST_CARDS.visa.slice(7)}E${EXPIRY}E`);
    await rig.page.getByTestId('card-entry-backdrop').waitFor({ state: 'detached' });
    await expect.poll(() => rig.page.getByTestId('masked-card').textContent()).toBe(`VISA${maskedAsPrinted(TEST_CARDS.visa, 'visa')}`);
  });

  it('closes the popup on キャンセル, leaves the keypad idle and shows no error', async () => {
    const rig = await startStoreRig(browser);
    await openEntry(rig);
    await rig.press(TEST_CARDS.mastercard.slice(0, 4), { pan: 4 });
    await rig.page.getByTestId('card-entry-cancel').click();
    await rig.page.getByTestId('card-entry-backdrop').waitFor({ state: 'detached' });
    await expect.poll(() => rig.sim.keypad.activeSessionId).toBeUndefined();
    expect(rig.sim.keypad.display().state).toBe('CANCELLED');
    expect(rig.bridge.requests.some((r) => r.method === 'DELETE' && r.status === 200)).toBe(true);
    await rig.snapshot('cancelled');
    expect(await rig.page.getByTestId('card-error').isHidden()).toBe(true);
    expect(await rig.page.getByTestId('masked-card').textContent()).toBe('カード情報は未登録です');
  });

  it('shows message 3 (ENTRY_TIMEOUT) when nobody types on the keypad within the timeout', async () => {
    const rig = await startStoreRig(browser, { settings: { entryTimeoutSeconds: 1 } });
    await openEntry(rig);
    await expectStoreMessage(rig, 'ENTRY_TIMEOUT');
    expect(await rig.page.getByTestId('card-entry-backdrop').count()).toBe(0);
    await rig.snapshot('keypad-timeout');
  });

  it('shows message 2 (CONNECTION) when the keypad is unplugged mid-entry', async () => {
    const rig = await startStoreRig(browser);
    await openEntry(rig);
    await rig.press(TEST_CARDS.visa.slice(0, 4), { pan: 4 });
    await rig.sim.vanish();
    await expectStoreMessage(rig, 'CONNECTION');
    expect(await rig.page.getByTestId('card-entry-backdrop').count()).toBe(0);
    await rig.snapshot('keypad-unplugged');
  });

  it('shows message 1 (CARD_SERVICE) for a declined card and keeps the user on the form', async () => {
    const rig = await startStoreRig(browser);
    await enterCard(rig, AUTHORIZATION_TEST_CARDS.declined);
    await rig.page.getByTestId('confirm-button').click();
    await expectStoreMessage(rig, 'CARD_SERVICE');
    expect(await rig.page.getByTestId('confirmation').isHidden()).toBe(true);
    expect(await rig.page.getByTestId('confirm-button').isVisible()).toBe(true);
    // The one-time token is spent: the card must be entered again.
    expect(await rig.page.getByTestId('masked-card').textContent()).toBe('カード情報は未登録です');
    await rig.snapshot('declined-card');
  });

  it('shows message 4 (TEMPORARY) when the card service is unavailable', async () => {
    const rig = await startStoreRig(browser);
    await enterCard(rig, AUTHORIZATION_TEST_CARDS.unavailable);
    await rig.page.getByTestId('confirm-button').click();
    await expectStoreMessage(rig, 'TEMPORARY');
    expect(await rig.page.getByTestId('confirmation').isHidden()).toBe(true);
    await rig.snapshot('authorization-unavailable');
  });

  it('shows message 1 (CARD_SERVICE) for a brand the chosen 利用サービス does not accept', async () => {
    const rig = await startStoreRig(browser, { settings: { service: 'visa-master' } });
    await openEntry(rig);
    await rig.press(`${TEST_CARDS.jcb}E${EXPIRY}E`);
    await expectStoreMessage(rig, 'CARD_SERVICE');
    expect(await rig.page.getByTestId('masked-card').textContent()).toBe('カード情報は未登録です');
    await rig.snapshot('brand-not-accepted');
  });

  it('shows message 2 (CONNECTION) with テンキーパッド入力 OFF, without contacting the bridge', async () => {
    const rig = await startStoreRig(browser, { settings: { keypadInput: false } });
    await rig.open('/customers.html');
    await rig.page.getByTestId('keypad-entry-button').click();
    await expectStoreMessage(rig, 'CONNECTION');
    expect(await rig.page.getByTestId('card-entry-backdrop').count()).toBe(0);
    await rig.snapshot('keypad-input-off');
    expect(rig.requests.length).toBeGreaterThan(3);
    expect(rig.requests.filter((url) => url.startsWith(rig.bridge.url))).toEqual([]);
    expect(rig.bridge.requests).toEqual([]);
  });

  it('shows message 2 (CONNECTION) and closes the popup when the bridge dies mid-entry', async () => {
    const rig = await startStoreRig(browser);
    // A bridge process killed outright: no terminal event, the event stream just stops answering.
    await rig.bridge.bridge.close();
    const bridge = await runBridge(['--device', rig.sim.address, '--listen', '127.0.0.1:0', '--allow-origin', rig.store.url]);
    await bridge.stderrLine(/keypad connected/);
    await rig.configure({ bridgePort: Number(new URL(bridge.url).port) });
    await openEntry(rig);
    await rig.press(TEST_CARDS.visa.slice(0, 4), { pan: 4 });
    bridge.child.kill('SIGKILL');
    await expectStoreMessage(rig, 'CONNECTION');
    expect(await rig.page.getByTestId('card-entry-backdrop').count()).toBe(0);
    await rig.snapshot('bridge-killed');
  });

  it('frees the keypad when the page is reloaded mid-entry: the next entry starts (no message 4)', async () => {
    const rig = await startStoreRig(browser);
    await openEntry(rig);
    await rig.press(TEST_CARDS.mastercard.slice(0, 4), { pan: 4 });
    await rig.page.reload({ waitUntil: 'domcontentloaded' });
    await rig.page.locator('body[data-ready="true"]').waitFor();
    // At once, not after the bridge's unwatched-entry grace (10 s): the page told the bridge as it went.
    await expect.poll(() => rig.bridge.bridge.health().busy, { timeout: 2000 }).toBe(false);
    expect(rig.sim.keypad.display().state).toBe('CANCELLED');
    expect(rig.bridge.requests).toContainEqual(expect.objectContaining({ method: 'DELETE', status: 200 }));
    await openEntry(rig);
    await rig.press(`${TEST_CARDS.mastercard}E${EXPIRY}E`);
    await rig.page.getByTestId('card-entry-backdrop').waitFor({ state: 'detached' });
    await expect.poll(() => rig.page.getByTestId('masked-card').textContent()).toContain(TEST_CARDS.mastercard.slice(-3));
    expect(await rig.page.getByTestId('card-error').isHidden()).toBe(true);
    expect(rig.bridge.requests.filter((r) => r.method === 'POST' && r.path === '/entries').map((r) => r.status)).toEqual([201, 201]);
  });

  it('shows message 2 (CONNECTION) when nothing answers at the プライベートIP and ポート番号', async () => {
    const rig = await startStoreRig(browser);
    await rig.bridge.bridge.close();
    await rig.open('/order-new.html');
    await rig.page.getByTestId('keypad-entry-button').click();
    await expectStoreMessage(rig, 'CONNECTION');
    await rig.snapshot('bridge-unreachable');
  });
});

describe('the settings screen in Chromium', () => {
  it('shows the defaults and saves 利用サービス, the テンキーパッド入力 switch, IP and port', async () => {
    const rig = await startStoreRig(browser);
    await rig.configure({ bridgePort: 7781 });
    await rig.open('/settings.html');
    const { page } = rig;
    expect(await page.getByTestId('bridge-host').inputValue()).toBe('127.0.0.1');
    expect(await page.getByTestId('bridge-port').inputValue()).toBe('7781');
    expect(await page.getByTestId('keypad-input-switch').isChecked()).toBe(true);
    expect(await page.getByTestId('keypad-input-state').textContent()).toBe('ON');
    await rig.snapshot('settings-defaults');
    await page.getByTestId('service-select').selectOption({ label: 'テモナペイメントG' });
    await page.locator('label.switch').click();
    expect(await page.getByTestId('keypad-input-state').textContent()).toBe('OFF');
    await page.getByTestId('bridge-port').fill('7790');
    await page.getByTestId('save-settings').click();
    await page.getByTestId('settings-saved').waitFor({ state: 'visible' });
    expect(rig.store.settings).toMatchObject({ service: 'temona-payment-g', keypadInput: false, bridgeHost: '127.0.0.1', bridgePort: 7790 });
    await page.getByTestId('bridge-port').fill('70000');
    await page.getByTestId('save-settings').click();
    await page.getByTestId('settings-error').waitFor({ state: 'visible' });
    expect(rig.store.settings.bridgePort).toBe(7790);
  });
});
