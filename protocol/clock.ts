/**
 * The timer surface every timed part of tenkey takes by injection. It is the shape of xstate's
 * clock (and of its SimulatedClock), so one SimulatedClock can drive the entry machine, the link
 * and the driver together and a 60-second timeout is tested in milliseconds.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real time. Timers are unref'd so a forgotten timer never keeps a process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
