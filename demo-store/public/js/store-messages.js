// The four store messages, as the server serves them from host-driver/errors.ts STORE_MESSAGES (never retyped here).
import { storeApi } from './store-api.js';

const STORE_CODES = ['CARD_SERVICE', 'CONNECTION', 'ENTRY_TIMEOUT', 'TEMPORARY'];
let messages = null;

export async function loadStoreMessages() {
  const answer = await storeApi.storeMessages();
  if (answer.ok) messages = answer.body;
  return messages;
}

/** The store's code for any failure code: one of the four, else TEMPORARY (integration problems). */
export function storeCodeOf(code) {
  return STORE_CODES.includes(code) ? code : 'TEMPORARY';
}

/** The message staff see for `code`. */
export function storeMessage(code) {
  const store = storeCodeOf(code);
  return messages?.[store] ?? messages?.TEMPORARY ?? store;
}
