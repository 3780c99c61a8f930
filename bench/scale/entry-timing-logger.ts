/**
 * A driver logger that timestamps each entry on the driver side: "entry started" is logged just before readCard
 * hands START_ENTRY to the link, "entry done" just after the RESULT settled the entry. Their difference is the
 * START_ENTRY→RESULT latency without the caller's own await in it. Everything else the driver logs is ignored.
 */
import type { LogFields, TenkeyLogger } from '../../host-driver/index.js';

export class EntryTimingLogger implements TenkeyLogger {
  readonly #startedAt = new Map<number, number>();
  readonly #latencyMs = new Map<number, number>();

  debug(): void {}
  error(): void {}

  warn(message: string, fields?: LogFields): void {
    // A failed entry has no end: forget its start.
    if (message === 'entry failed' && typeof fields?.session === 'number') this.#startedAt.delete(fields.session);
  }

  info(message: string, fields?: LogFields): void {
    const session = fields?.session;
    if (typeof session !== 'number') return;
    if (message === 'entry started') {
      this.#startedAt.set(session, performance.now());
    } else if (message === 'entry done') {
      const startedAt = this.#startedAt.get(session);
      this.#startedAt.delete(session);
      if (startedAt !== undefined) this.#latencyMs.set(session, performance.now() - startedAt);
    }
  }

  /** START_ENTRY→RESULT of a finished session (ms), forgotten once taken. Throws if the driver logged no start or end. */
  take(session: number): number {
    const latency = this.#latencyMs.get(session);
    if (latency === undefined) {
      throw new Error(`no "entry started"/"entry done" log lines for session ${session}: did the driver's log messages change?`);
    }
    this.#latencyMs.delete(session);
    return latency;
  }
}
