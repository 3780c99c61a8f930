/**
 * Emits an event to each listener on its own: a listener that throws (a bug in the store backend's code) is
 * reported through `onThrow` and the listeners after it still hear the event. The driver emits from inside
 * timers, stream callbacks and xstate subscribers, where a throw would otherwise become an uncaught exception.
 */
import type { EventEmitter } from 'node:events';

export function emitToEachListener(emitter: EventEmitter, name: string, event: unknown, onThrow: (error: unknown) => void): void {
  // rawListeners: a once() listener's wrapper removes itself when called, as emit() would.
  for (const listener of emitter.rawListeners(name)) {
    try {
      (listener as (event: unknown) => void).call(emitter, event);
    } catch (error) {
      onThrow(error);
    }
  }
}
