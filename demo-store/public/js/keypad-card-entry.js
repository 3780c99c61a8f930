// One card entry on the keypad through the bridge, with the popup open while it runs.
// Resolves to { kind: 'result', result } | { kind: 'cancelled' } | { kind: 'error', code } (never rejects).
import { bridgeUrlOf, cancelEntry, followEntry, startEntry } from './bridge-client.js';
import { CardEntryPopup } from './card-entry-popup.js';

export async function readCardOnKeypad(settings) {
  // テンキーパッド入力 OFF: what the driver says for DISABLED (CONNECTION), without asking the bridge anything.
  if (!settings.keypadInput) return { kind: 'error', code: 'CONNECTION', cause: 'DISABLED' };
  const bridgeUrl = bridgeUrlOf(settings);
  let entry = null;
  let cancelRequested = false;
  let settle;
  const outcome = new Promise((resolve) => { settle = resolve; });
  const popup = new CardEntryPopup({
    onCancel: async () => {
      cancelRequested = true;
      if (entry !== null && !(await cancelEntry(bridgeUrl, entry))) settle({ kind: 'cancelled' }); // bridge gone: nothing left to cancel
    },
  });
  popup.open();
  try {
    const started = await startEntry(bridgeUrl, { service: settings.service, timeoutSeconds: settings.entryTimeoutSeconds });
    if (!started.ok) return { kind: 'error', code: started.code, cause: started.cause };
    entry = started.entry;
    const stop = followEntry(bridgeUrl, entry, {
      progress: (p) => popup.progress(p),
      result: (result) => settle({ kind: 'result', result }),
      error: (error) => settle({ kind: 'error', code: error.code, cause: error.cause }),
      cancelled: () => settle({ kind: 'cancelled' }),
      lost: () => settle({ kind: 'error', code: 'CONNECTION', cause: 'EVENTS_LOST' }),
    });
    if (cancelRequested && !(await cancelEntry(bridgeUrl, entry))) settle({ kind: 'cancelled' });
    const end = await outcome;
    stop();
    return end;
  } finally {
    popup.close();
  }
}
