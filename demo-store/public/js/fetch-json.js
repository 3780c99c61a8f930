// One fetch with a JSON answer, for the pages' two APIs (the store's, bridge-client.js's bridge): never throws.

/** @returns {Promise<{ res: Response, json: any } | null>} null when the request never got an answer; json null when the answer is not JSON. */
export async function fetchJson(url, init) {
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    return null;
  }
  let json = null;
  try {
    json = await res.json();
  } catch {
    // an answer that is not JSON: the caller's failure below
  }
  return { res, json };
}

/** A failed answer as the pages handle it: the server's error code and cause, else TEMPORARY and the HTTP status. */
export function failureOf({ res, json }) {
  return { ok: false, code: json?.error?.code ?? 'TEMPORARY', cause: json?.error?.cause ?? `HTTP_${res.status}` };
}
