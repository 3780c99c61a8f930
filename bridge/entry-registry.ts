/**
 * The bridge's card entries: each with its id, its token, and the log of every event it produced, kept until
 * the entry is forgotten so a late or reconnecting subscriber gets all of them (HTTP-API.md). At most one runs.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../protocol/clock.js';
import type { StreamEvent } from './sse.js';

export type EntryEventName = 'progress' | 'result' | 'error' | 'cancelled';
export type EntryOutcome = Exclude<EntryEventName, 'progress'>;
export type EntryEvent = StreamEvent & { event: EntryEventName };

const TOKEN_BYTES = 32;
const ID_LENGTH = 16;
const ID_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Letters only, so the log's masking of digit runs never mangles an id; not a secret (the token is), so the modulo bias is harmless. */
const newEntryId = (): string => Array.from(randomBytes(ID_LENGTH), (b) => ID_LETTERS[b % ID_LETTERS.length]).join('');

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export class BridgeEntry {
  readonly id = newEntryId();
  /** 256 random bits; handed out once, in the answer to POST /entries. */
  readonly token = randomBytes(TOKEN_BYTES).toString('base64url');
  readonly #tokenDigest = digest(this.token);
  readonly #events: EntryEvent[] = [];
  readonly #listeners = new Set<(event: EntryEvent) => void>();
  #outcome: EntryOutcome | undefined;

  constructor(private readonly onEnd: (entry: BridgeEntry) => void) {}

  /** How the entry ended, or undefined while it runs. */
  get outcome(): EntryOutcome | undefined {
    return this.#outcome;
  }

  /** Compared as digests in constant time: neither the token's bytes nor its length leak through timing. */
  tokenMatches(candidate: string | undefined): boolean {
    return candidate !== undefined && timingSafeEqual(digest(candidate), this.#tokenDigest);
  }

  /** Appends an event (numbered 1, 2, …); the first terminal event ends the entry, nothing is added after it. */
  record(event: EntryEventName, data: unknown): void {
    if (this.#outcome !== undefined) return;
    const entry: EntryEvent = { id: this.#events.length + 1, event, data };
    this.#events.push(entry);
    if (event !== 'progress') this.#outcome = event;
    for (const listener of [...this.#listeners]) {
      try {
        listener(entry);
      } catch {
        // One broken stream must not keep the event from the others or end the entry twice.
      }
    }
    if (this.#outcome !== undefined) {
      this.#listeners.clear();
      this.onEnd(this);
    }
  }

  /** The events after `lastEventId` (all for 0). */
  eventsAfter(lastEventId: number): readonly EntryEvent[] {
    return this.#events.slice(Math.max(0, lastEventId));
  }

  /** Calls `listener` for each new event until the entry ends; returns what unsubscribes. */
  subscribe(listener: (event: EntryEvent) => void): () => void {
    if (this.#outcome !== undefined) return () => {};
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export class EntryRegistry {
  readonly #entries = new Map<string, BridgeEntry>();
  readonly #forgetTimers = new Set<unknown>();
  #running: BridgeEntry | undefined;

  constructor(
    private readonly clock: Clock,
    /** An ended entry is forgotten this long after it ended. */
    private readonly retentionMs: number,
  ) {}

  /** The entry that has not ended yet, if any (one at a time per keypad). */
  get running(): BridgeEntry | undefined {
    return this.#running;
  }

  /** A new entry, the running one until its terminal event. */
  create(): BridgeEntry {
    const entry = new BridgeEntry((ended) => this.#ended(ended));
    this.#entries.set(entry.id, entry);
    this.#running = entry;
    return entry;
  }

  get(id: string): BridgeEntry | undefined {
    return this.#entries.get(id);
  }

  /** Forgets everything and stops every timer (the bridge is closing). */
  clear(): void {
    for (const timer of this.#forgetTimers) this.clock.clearTimeout(timer);
    this.#forgetTimers.clear();
    this.#entries.clear();
    this.#running = undefined;
  }

  #ended(entry: BridgeEntry): void {
    if (this.#running === entry) this.#running = undefined;
    const timer = this.clock.setTimeout(() => {
      this.#forgetTimers.delete(timer);
      this.#entries.delete(entry.id);
    }, this.retentionMs);
    this.#forgetTimers.add(timer);
  }
}
