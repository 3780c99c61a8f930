/**
 * Which KEY reports a newer one may replace while they still wait for the line (PROTOCOL.md §5.11). A DIGIT key
 * that caused no notice says nothing but "the field now holds n digits"; the next DIGIT key of the same session and
 * field says the same with a newer n. Any other key, or a key with a notice, is news of its own and always goes out.
 */
import type { KeyMessage, Message } from '../../protocol/messages.js';

function isPlainDigit(message: Message): message is KeyMessage {
  return message.type === 'KEY' && message.keyClass === 'DIGIT' && message.notice === 'NONE';
}

/** True when `newer` may take the place of `queued` (not yet on the wire) without the host missing anything but a stale count. */
export function keyReportSupersedes(newer: KeyMessage, queued: Message): boolean {
  return isPlainDigit(newer) && isPlainDigit(queued) && queued.sessionId === newer.sessionId && queued.field === newer.field;
}
