/**
 * Which KEY reports a newer one may replace while they still wait for the line (PROTOCOL.md §5.11). A DIGIT key
 * that caused no notice says nothing but "the field now holds n digits"; the next DIGIT key of the same session and
 * field says the same with a higher n. Any other key, a key with a notice, or a digit the full field ignored (same
 * n) is news of its own and is never replaced; so a merged report's rise in n is exactly the keys it stands for.
 */
import type { KeyMessage, Message } from '../../protocol/messages.js';

/** A DIGIT key that caused no notice: the only kind of KEY report that may be merged (also read back by the replayer). */
export function isPlainDigit(message: Message): message is KeyMessage {
  return message.type === 'KEY' && message.keyClass === 'DIGIT' && message.notice === 'NONE';
}

/** True when `newer` may take the place of `queued` (not yet on the wire) without the host missing anything but a stale count. */
export function keyReportSupersedes(newer: KeyMessage, queued: Message): boolean {
  return isPlainDigit(newer) && isPlainDigit(queued) && queued.sessionId === newer.sessionId && queued.field === newer.field
    && newer.digits > queued.digits;
}
