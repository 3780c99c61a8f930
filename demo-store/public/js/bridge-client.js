// The tenkey bridge's HTTP API (bridge/HTTP-API.md) from the page: start an entry, follow its events, cancel it.

export function bridgeUrlOf(settings) {
  const host = settings.bridgeHost.includes(':') ? `[${settings.bridgeHost}]` : settings.bridgeHost;
  return `http://${host}:${settings.bridgePort}`;
}

/** POST /entries. @returns {{ ok: true, entry } | { ok: false, code, cause }} (fetch failing = CONNECTION). */
export async function startEntry(bridgeUrl, body) {
  let res;
  try {
    res = await fetch(`${bridgeUrl}/entries`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    return { ok: false, code: 'CONNECTION', cause: 'BRIDGE_UNREACHABLE' };
  }
  let json = null;
  try {
    json = await res.json();
  } catch {
    // an answer that is not JSON is not the bridge: TEMPORARY below
  }
  if (res.status === 201 && typeof json?.id === 'string' && typeof json?.token === 'string') return { ok: true, entry: json };
  return { ok: false, code: json?.error?.code ?? 'TEMPORARY', cause: json?.error?.cause ?? `HTTP_${res.status}` };
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
  const on = (name, handler) => source.addEventListener(name, (event) => {
    if (over) return;
    failures = 0;
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (name !== 'progress') end();
    handler(data);
  });
  on('progress', handlers.progress);
  on('result', handlers.result);
  on('error', handlers.error);
  on('cancelled', handlers.cancelled);
  // A plain `error` Event (no data) is the connection failing; EventSource retries on its own a few times first.
  source.onerror = (event) => {
    if (over || event instanceof MessageEvent) return;
    failures += 1;
    if (source.readyState === EventSource.CLOSED || failures >= 3) {
      end();
      handlers.lost();
    }
  };
  return end;
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
