// The store server's JSON API, as the pages use it. Failures come back as { code, messageJa } (never thrown).

import { failureOf, fetchJson } from './fetch-json.js';

/** @returns {Promise<{ ok: true, body: any } | { ok: false, code: string, cause: string }>} */
async function call(method, path, body) {
  const answer = await fetchJson(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (answer === null) return { ok: false, code: 'TEMPORARY', cause: 'STORE_UNREACHABLE' };
  if (answer.res.ok) return { ok: true, body: answer.json };
  return { ...failureOf(answer), detail: answer.json?.error?.detail }; // not JSON: TEMPORARY
}

export const storeApi = {
  settings: () => call('GET', '/api/settings'),
  saveSettings: (change) => call('PUT', '/api/settings', change),
  cardServices: () => call('GET', '/api/card-services'),
  storeMessages: () => call('GET', '/api/store-messages'),
  /** The keypad's entry result (ciphertext + KSN) → a one-time card token with brand and last 3 digits. */
  registerCard: (result) => call('POST', '/api/cards', {
    keySerialNumber: result.keySerialNumber,
    encryptedBlock: result.encryptedBlock,
    keySetId: result.keySetId,
    brand: result.brand,
    last: result.last,
    sessionId: result.sessionId,
  }),
  /** 与信 on a card token. */
  authorize: (token, amount) => call('POST', '/api/authorizations', { token, amount }),
};
