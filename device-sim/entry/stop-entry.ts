/**
 * Ending a session from outside without an outcome (device RESET, simulator shutdown).
 */
import type { ActorRefFrom } from 'xstate';
import type { EntryMachine } from './entry-machine.js';

/**
 * `actor.stop()` runs no exit actions, so the card buffers would survive it: stop, then zero them here.
 * (To end a session with an outcome the host hears about, send `host.cancel` instead.)
 */
export function stopEntry(actor: ActorRefFrom<EntryMachine>): void {
  const { pan, expiry } = actor.getSnapshot().context;
  actor.stop();
  pan.fill(0);
  expiry.fill(0);
}
