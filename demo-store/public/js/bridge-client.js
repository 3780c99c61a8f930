// The tenkey bridge's HTTP API (bridge/HTTP-API.md) from the page: start an entry, follow its events, cancel it.

import { failureOf, fetchJson } from './fetch-json.js';

export function bridgeUrlOf(settings) {
  const host = settings.bridgeHost.includes(':') ? `[${settings.bridgeHost}]` : settings.bridgeHost;
  return `http://${host}:${settings.bridgePort}`;
}

/** POST /entries. @returns {{ ok: true, entry } | { ok: false, code, cause }} (fetch failing = CONNECTION). */
export async function startEntry(bridgeUrl, body) {
  const answer = await fetchJson(`${bridgeUrl}/entries`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (answer === null) return { ok: false, code: 'CONNECTION', cause: 'BRIDGE_UNREACHABLE' };
  const { res, json } = answer;
  if (res.status === 201 && typeof json?.id === 'string' && typeof json?.token === 'string') return { ok: true, entry: json };
  return failureOf(answer); // an answer that is not JSON is not the bridge: TEMPORARY
}

/**
 * Follows GET /entries/:id/events until its one terminal event. `handlers`: progress(p), result(r), error(e),
 * cancelled(c), lost() when the stream cannot be (re)opened. Returns a function that stops following.
 */
export function followEntry(bridgeUrl, entry, handlers) {
  const source = new EventSource(`${bridgeUrl}/entries/${encodeURIComponent(entry.id)}/events?token=${encodeURIComponent(entry.token)}`);
  let over = false;
  let failures = 0;
  const end = () => {
    over = true;
    source.close(); // the server ends the stream after a terminal event; EventSource would otherwise reconnect
  };
  const lost = () => {
    if (over) return;
    end();
    handlers.lost();
  };
  const on = (name, handler) => source.addEventListener(name, (event) => {
    // The connection failing also fires `error`, as a plain Event: that is onerror's business, not the bridge's event.
    if (over || !(event instanceof MessageEvent)) return;
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    failures = 0;
    if (name !== 'progress') end();
    handler(data);
  });
  on('progress', handlers.progress);
  on('result', handlers.result);
  on('error', handlers.error);
  on('cancelled', handlers.cancelled);
  source.onopen = () => {
    failures = 0;
  };
  // A plain `error` Event is the connection failing; EventSource retries on its own (every ~3 s in Chrome).
  source.onerror = (event) => {
    if (over || event instanceof MessageEvent) return;
    failures += 1;
    if (source.readyState === EventSource.CLOSED || failures >= 3) return lost();
    // A bridge that no longer answers at all will not come back within an entry: say so now, not after the retries.
    void bridgeAnswers(bridgeUrl).then((answers) => {
      if (!answers) lost();
    });
  };
  return end;
}

/** Whether anything answers HTTP at the bridge's address (any status: the keypad's state does not matter here). */
async function bridgeAnswers(bridgeUrl) {
  try {
    await fetch(`${bridgeUrl}/health`, { cache: 'no-store' });
    return true;
  } catch {
    return false;
  }
}

/** DELETE /entries/:id. Resolves true when the bridge answered 200. */
export async function cancelEntry(bridgeUrl, entry) {
  try {
    const res = await fetch(`${bridgeUrl}/entries/${encodeURIComponent(entry.id)}`, { method: 'DELETE', headers: { Authorization: `Bearer ${entry.token}` } });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * DELETE /entries/:id from a page that is going away (pagehide, or its event stream failing as it unloads):
 * keepalive lets the request, and its CORS preflight, outlive the page. Fire and forget.
 */
export function cancelEntryOnLeave(bridgeUrl, entry) {
  const url = `${bridgeUrl}/entries/${encodeURIComponent(entry.id)}`;
  fetch(url, { method: 'DELETE', keepalive: true, headers: { Authorization: `Bearer ${entry.token}` } }).catch(() => {});
}
