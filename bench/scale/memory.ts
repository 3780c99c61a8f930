/**
 * Process memory snapshots for "memory per keypad": heap + external (what our objects and buffers hold) and RSS
 * (what the OS charges), each taken after a full GC when node runs with --expose-gc (`npm run bench` does).
 */

export interface MemorySnapshot {
  /** heapUsed + external, bytes. */
  heapAndExternal: number;
  rss: number;
  /** Whether a GC ran first; without one the numbers include garbage and are noisy. */
  collected: boolean;
}

const gc = (globalThis as { gc?: () => void }).gc;

export function memorySnapshot(): MemorySnapshot {
  // Twice: the first pass may only queue finalizers (closed handles, buffers) that the second one frees.
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return { heapAndExternal: usage.heapUsed + usage.external, rss: usage.rss, collected: gc !== undefined };
}

/** (after − before) / count, per field, in bytes. */
export function perItem(before: MemorySnapshot, after: MemorySnapshot, count: number): { heapAndExternal: number; rss: number } {
  return {
    heapAndExternal: (after.heapAndExternal - before.heapAndExternal) / count,
    rss: (after.rss - before.rss) / count,
  };
}
