/**
 * The store pages' finish, in a real browser (issue 15): a new error is scrolled into view and announced,
 * 確定する ends on a completion panel with the ways on, amounts read 3,980円, a saved card shows one ● per
 * hidden digit spaced as its brand prints it, 利用サービス is required and validated, and the favicon is served.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { STORE_MESSAGES } from '../../host-driver/errors.js';
import { launchChromium, startStoreRig, type StoreRig } from './store-rig.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const EXPIRY = '1230';

// What the page functions below use of the browser's globals (the tests compile without the DOM lib).
declare const window: { innerHeight: number; scrollTo(x: number, y: number): void };
declare const document: { activeElement: unknown };

/** Whether the whole of `testid` lies inside the viewport now (what staff see without scrolling). */
async function inViewport(page: Page, testid: string): Promise<boolean> {
  return page.getByTestId(testid).evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
  });
}

async function enterCard(rig: StoreRig, screen: string, pan: string): Promise<void> {
  await rig.open(`/${screen}.html`);
  await rig.page.getByTestId('keypad-entry-button').click();
  await rig.page.getByTestId('card-entry-popup').waitFor({ state: 'visible' });
  await rig.press(`${pan}E${EXPIRY}E`);
  await rig.page.getByTestId('card-entry-backdrop').waitFor({ state: 'detached' });
  await expect.poll(() => rig.page.getByTestId('masked-card').textContent()).toContain(pan.slice(-3));
}

describe('the store pages in Chromium, finish', () => {
  it('scrolls a new error into view and marks it for screen readers', async () => {
    const rig = await startStoreRig(browser, { settings: { entryTimeoutSeconds: 1 } });
    // A short window: the error box sits below the fold, as at 1280x900 on a long form.
    await rig.page.setViewportSize({ width: 1280, height: 500 });
    await rig.open('/order-new.html');
    expect(await inViewport(rig.page, 'confirm-button')).toBe(false);
    await rig.page.getByTestId('keypad-entry-button').click();
    const error = rig.page.getByTestId('card-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toBe(STORE_MESSAGES.ENTRY_TIMEOUT.ja);
    expect(await error.getAttribute('role')).toBe('alert');
    expect(await error.getAttribute('aria-live')).toBe('assertive');
    await expect.poll(() => inViewport(rig.page, 'card-error')).toBe(true);
    await rig.page.screenshot({ path: 'test-results/screenshots/error-scrolled-into-view.png' }); // as it is, before snapshot() scrolls
    await rig.snapshot();

    // The store's own notice (no card yet) takes the same way.
    await rig.page.evaluate(() => window.scrollTo(0, 0));
    await rig.page.getByTestId('confirm-button').click();
    await expect.poll(() => error.getAttribute('data-code')).toBe('NO_CARD');
    await expect.poll(() => inViewport(rig.page, 'card-error')).toBe(true);
  });

  it('ends 確定する on a completion panel with a new order and the list as ways on', async () => {
    const rig = await startStoreRig(browser);
    const { page } = rig;
    await enterCard(rig, 'order-new', TEST_CARDS.visa);
    await page.getByTestId('confirm-button').click();
    await page.getByTestId('confirmation').waitFor({ state: 'visible' });
    // Amounts as Japanese stores print them, in the confirmation grid and the 与信 line.
    const confirmation = await page.getByTestId('confirmation').textContent();
    expect(confirmation).toContain('3,980円');
    expect(confirmation).not.toMatch(/(?<![\d,])3980(?![\d,])/);
    await rig.snapshot('confirmation-amount-yen');
    await page.getByTestId('commit-button').click();
    await page.getByTestId('committed').waitFor({ state: 'visible' });
    expect(await page.getByTestId('committed').getAttribute('role')).toBe('status');
    const next = page.getByTestId('next-new-order');
    expect(await next.getAttribute('href')).toBe('/order-new.html');
    expect(await next.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.getByTestId('next-list').getAttribute('href')).toBe('/orders.html');
    expect(await page.getByTestId('next-list').textContent()).toBe('注文一覧へ');
    await rig.snapshot('order-completed');
    await next.click();
    await page.waitForURL(`${rig.store.url}/order-new.html`);
    await page.locator('body[data-ready="true"]').waitFor();
    expect(await page.getByTestId('confirm-button').isEnabled()).toBe(true);
    expect(await page.getByTestId('masked-card').textContent()).toBe('カード情報は未登録です');
  });

  it('leads back to its own list from the customer screen', async () => {
    const rig = await startStoreRig(browser);
    await enterCard(rig, 'customers', TEST_CARDS.mastercard);
    await rig.page.getByTestId('confirm-button').click();
    await rig.page.getByTestId('commit-button').click();
    await rig.page.getByTestId('next-list').click();
    await rig.page.waitForURL(`${rig.store.url}/customers.html`);
  });

  it.each([
    ['visa', 'VISA', '●●●● ●●●● ●●●● ●111'],
    ['american-express', 'AMEX', '●●●● ●●●●●● ●●005'],
    ['diners-club', 'Diners Club', '●●●● ●●●●●● ●667'],
  ] as const)('masks a saved %s card with one ● per hidden digit, spaced as the brand prints it', async (brand, label, masked) => {
    const rig = await startStoreRig(browser);
    await enterCard(rig, 'customers', TEST_CARDS[brand]);
    expect(await rig.page.getByTestId('masked-card').textContent()).toBe(`${label}${masked}`);
    expect([...masked.replaceAll(' ', '')]).toHaveLength(TEST_CARDS[brand].length);
    await rig.snapshot(`masked-card-${brand}`);
  });

  it('keeps 利用サービス required: a valid default, and no save without a choice', async () => {
    const rig = await startStoreRig(browser);
    const { page } = rig;
    await rig.open('/settings.html');
    const select = page.getByTestId('service-select');
    expect(await select.evaluate((el) => {
      const field = el as unknown as { required: boolean; value: string; checkValidity(): boolean };
      return [field.required, field.checkValidity(), field.value];
    })).toEqual([true, true, 'all']);
    await select.selectOption({ value: '' });
    await page.getByTestId('save-settings').click();
    await page.getByTestId('settings-error').waitFor({ state: 'visible' });
    expect(await page.getByTestId('settings-error').textContent()).toBe('利用サービスを選択してください。');
    expect(await select.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(rig.store.settings.service).toBe('all');
    expect(rig.requests.filter((url) => url.endsWith('/api/settings'))).toHaveLength(1); // the page's GET, no PUT
    await rig.snapshot('settings-service-required');
  });

  it('serves a favicon: the pages name one and /favicon.ico answers', async () => {
    const rig = await startStoreRig(browser);
    const missing: string[] = [];
    rig.page.on('response', (response) => { if (response.status() >= 400) missing.push(response.url()); });
    await rig.open('/customers.html');
    const icon = await rig.page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).toBe('/favicon.svg');
    for (const [path, type] of [['/favicon.svg', 'image/svg+xml'], ['/favicon.ico', 'image/x-icon']]) {
      const res = await fetch(`${rig.store.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    expect(missing).toEqual([]);
  });
});
