/**
 * The reference store in a real browser against resubmission: after an approved 与信, going back (戻る) and
 * submitting the confirmation again, or posting the page's own card request a second time (a copied request), never
 * gets a second 与信: the token is spent, and the token service refuses the same keypad block (REPLAYED_KSN).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_MESSAGES } from '../../host-driver/errors.js';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { launchChromium, startStoreRig } from './store-rig.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('the store pages in Chromium, resubmitted', () => {
  it('resubmitting the confirmation, or the card request copied, gives no second 与信', async () => {
    const rig = await startStoreRig(browser);
    const { page } = rig;
    const cardRequests: string[] = [];
    const authorizations: number[] = [];
    page.on('request', (request) => { if (request.url().endsWith('/api/cards')) cardRequests.push(request.postData() ?? ''); });
    page.on('response', (response) => { if (response.url().endsWith('/api/authorizations')) authorizations.push(response.status()); });

    await rig.open('/order-new.html');
    await page.getByTestId('keypad-entry-button').click();
    await page.getByTestId('card-entry-popup').waitFor({ state: 'visible' });
    const pan = TEST_CARDS.visa;
    await rig.press(pan, { pan: pan.length });
    await rig.press('E1230E');
    await page.getByTestId('card-entry-backdrop').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('masked-card').textContent()).toContain(pan.slice(-3));
    await page.getByTestId('confirm-button').click();
    await page.getByTestId('confirmation').waitFor({ state: 'visible' });
    expect(authorizations).toEqual([200]);

    // 戻る, then 確認画面に進む again: the card token was spent by the first 与信.
    await page.getByTestId('back-button').click();
    await page.getByTestId('confirm-button').click();
    await page.getByTestId('card-error').waitFor({ state: 'visible' });
    await expect.poll(() => authorizations.length).toBe(2);
    expect(authorizations[1]).not.toBe(200);
    expect(await page.getByTestId('confirmation').isHidden()).toBe(true);
    await rig.snapshot('resubmitted-confirmation');

    // The page's own POST /api/cards sent again from the page (a copied request): the block is refused.
    expect(cardRequests).toHaveLength(1);
    const replay = await page.evaluate(async (body) => {
      const res = await fetch('/api/cards', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      return { status: res.status, json: (await res.json()) as { token?: string; error?: Record<string, unknown> } };
    }, cardRequests[0]!);
    expect(replay.status).toBe(409);
    expect(replay.json.token).toBeUndefined();
    expect(replay.json.error).toMatchObject({ code: 'ENTRY_TIMEOUT', cause: 'REPLAYED_KSN', messageJa: STORE_MESSAGES.ENTRY_TIMEOUT.ja });
    expect(authorizations.filter((status) => status === 200)).toHaveLength(1);
  });
});
