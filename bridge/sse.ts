/**
 * A server-sent events stream (text/event-stream) on one HTTP response: numbered events, a comment line as
 * keepalive so proxies and the browser keep the connection, and an end.
 */
import type { ServerResponse } from 'node:http';
import type { Clock } from '../protocol/clock.js';

export interface StreamEvent {
  /** 1, 2, … within the entry; a reconnecting EventSource sends the last one back as Last-Event-ID. */
  id: number;
  event: string;
  data: unknown;
}

export class EventStream {
  #keepaliveTimer: unknown;
  #ended = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly clock: Clock,
    private readonly keepaliveMs: number,
    headers: Readonly<Record<string, string>>,
  ) {
    response.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    // Headers now, so the browser's EventSource fires `open` before the first event.
    response.flushHeaders();
    response.once('close', () => this.#stop());
    this.#armKeepalive();
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Writes one event; JSON data has no line breaks, so one `data:` line carries it. */
  send(event: StreamEvent): void {
    if (this.#ended) return;
    this.response.write(`id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
    this.#armKeepalive();
  }

  /** Ends the response (after a terminal event, or when the bridge closes). */
  end(): void {
    if (this.#ended) return;
    this.#stop();
    this.response.end();
  }

  #armKeepalive(): void {
    this.clock.clearTimeout(this.#keepaliveTimer);
    if (this.#ended) return;
    this.#keepaliveTimer = this.clock.setTimeout(() => {
      if (this.#ended) return;
      this.response.write(': keepalive\n\n');
      this.#armKeepalive();
    }, this.keepaliveMs);
  }

  #stop(): void {
    this.#ended = true;
    this.clock.clearTimeout(this.#keepaliveTimer);
  }
}
