/**
 * Ending a session from outside without an outcome (device RESET, simulator shutdown).
 */
import type { EntryActor, KeypadCard } from './entry-machine.js';

/**
 * `actor.stop()` runs no exit actions, so the card buffers would survive it: stop, then zero them here.
 * (To end a session with an outcome the host hears about, send `host.cancel` instead.)
 */
export function stopEntry(actor: EntryActor): void {
  const card = actor.getSnapshot().context.side as KeypadCard | undefined;
  actor.stop();
  card?.wipe();
}
