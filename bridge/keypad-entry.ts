/**
 * One card entry run on the keypad for a bridge entry: readCard with the entry's settings, its progress and its
 * one terminal outcome recorded as the entry's events (HTTP-API.md "GET /entries/:id/events").
 */
import {
  CANCELLED_MESSAGES, isTenkeyCancelled, toTenkeyError, type CardReadResult, type EntryProgress, type TenkeyKeypad,
} from '../host-driver/index.js';
import type { BridgeEntry } from './entry-registry.js';
import type { EntryRequest } from './entry-request.js';

/** The `result` event: what the store server passes on to its token service, and nothing more. */
export function resultJson(card: CardReadResult): Record<string, unknown> {
  const { brand, last, keySerialNumber, encryptedBlock, sessionId } = card;
  return { brand, last, keySerialNumber, encryptedBlock, keySetId: card.device.keySetId, sessionId };
}

/** Starts readCard for `entry`; aborting the returned controller cancels it (its stream gets `cancelled` by host). */
export function startKeypadEntry(keypad: TenkeyKeypad, entry: BridgeEntry, request: EntryRequest): AbortController {
  const abort = new AbortController();
  const onProgress = (progress: EntryProgress) => entry.record('progress', progress);
  keypad.on('progress', onProgress);
  keypad
    .readCard({
      timeoutSeconds: request.timeoutSeconds,
      expiryRequired: request.expiryRequired,
      signal: abort.signal,
      ...(request.service !== undefined ? { service: request.service } : {}),
    })
    .then(
      (card) => entry.record('result', resultJson(card)),
      (e: unknown) => {
        const outcome = toTenkeyError(e);
        if (isTenkeyCancelled(outcome)) {
          entry.record('cancelled', {
            code: 'CANCELLED', by: outcome.by, message: outcome.message, messageJa: CANCELLED_MESSAGES.ja,
          });
        } else {
          entry.record('error', outcome.toJSON());
        }
      },
    )
    .finally(() => keypad.off('progress', onProgress));
  return abort;
}
