// The store server's JSON API, as the pages use it. Failures come back as { code, messageJa } (never thrown).

/** @returns {Promise<{ ok: true, body: any } | { ok: false, code: string, cause: string }>} */
async function call(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, code: 'TEMPORARY', cause: 'STORE_UNREACHABLE' };
  }
  let json = null;
  try {
    json = await res.json();
  } catch {
    // not JSON: treated as a temporary failure below
  }
  if (res.ok) return { ok: true, body: json };
  return { ok: false, code: json?.error?.code ?? 'TEMPORARY', cause: json?.error?.cause ?? `HTTP_${res.status}`, detail: json?.error?.detail };
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
