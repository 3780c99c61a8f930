/**
 * How the driver's commands print an outcome that is not a card: one of the four store errors (with its
 * cause and detail), or a cancellation, which is not an error and is printed as its own kind of object.
 */
import { CANCELLED_MESSAGES, type CancelledBy, type TenkeyCancelledError, type TenkeyErrorJson } from '../host-driver/index.js';

/** The store's message (ja, then en) and, for support, code, cause and detail: never card data. */
export function humanError(error: TenkeyErrorJson): string {
  return `${error.messageJa}\n${error.message} [${error.code}: ${error.cause}${error.detail ? ` — ${error.detail}` : ''}]\n`;
}

/** The --json shape of a cancellation: `{"cancelled":{"by":"keypad","message":"…"}}`, never an `error`. */
export interface CancelledJson {
  cancelled: { by: CancelledBy; message: string };
}

export function cancelledJson(cancelled: TenkeyCancelledError): CancelledJson {
  return { cancelled: { by: cancelled.by, message: cancelled.message } };
}

/** A cancellation for people: tenkey's own wording (not one of the store's four messages) and who cancelled. */
export function humanCancelled(cancelled: TenkeyCancelledError): string {
  return `${CANCELLED_MESSAGES.ja}\n${cancelled.message} [cancelled by ${cancelled.by}]\n`;
}
