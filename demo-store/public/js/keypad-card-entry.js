// One card entry on the keypad through the bridge, with the popup open while it runs.
// Resolves to { kind: 'result', result, panDigits } | { kind: 'cancelled' } | { kind: 'error', code } (never rejects);
// panDigits is the card number's length as the keypad last counted it (a count, never a digit), for the mask.
import { bridgeUrlOf, cancelEntry, cancelEntryOnLeave, followEntry, startEntry } from './bridge-client.js';
import { CardEntryPopup } from './card-entry-popup.js';

export async function readCardOnKeypad(settings) {
  // テンキーパッド入力 OFF: what the driver says for DISABLED (CONNECTION), without asking the bridge anything.
  if (!settings.keypadInput) return { kind: 'error', code: 'CONNECTION', cause: 'DISABLED' };
  const bridgeUrl = bridgeUrlOf(settings);
  let entry = null;
  let cancelRequested = false;
  let panDigits;
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
    const running = entry;
    // Leaving or reloading the page mid-entry must not leave the keypad busy for the next try. Kept until the
    // bridge says the entry ended: at unload the event stream may fail first, and that is no end on the bridge.
    const cancelOnLeave = () => cancelEntryOnLeave(bridgeUrl, running);
    window.addEventListener('pagehide', cancelOnLeave);
    const ended = (outcomeOfEntry) => {
      window.removeEventListener('pagehide', cancelOnLeave);
      settle(outcomeOfEntry);
    };
    const stop = followEntry(bridgeUrl, entry, {
      progress: (p) => {
        if (p.field === 'PAN') panDigits = p.digits;
        popup.progress(p);
      },
      result: (result) => ended({ kind: 'result', result, panDigits }),
      error: (error) => ended({ kind: 'error', code: error.code, cause: error.cause }),
      cancelled: () => ended({ kind: 'cancelled' }),
      lost: () => {
        cancelEntryOnLeave(bridgeUrl, running); // the bridge may still run it, and the page may be unloading
        settle({ kind: 'error', code: 'CONNECTION', cause: 'EVENTS_LOST' });
      },
    });
    if (cancelRequested && !(await cancelEntry(bridgeUrl, entry))) settle({ kind: 'cancelled' });
    const end = await outcome;
    stop();
    return end;
  } finally {
    popup.close();
  }
}
