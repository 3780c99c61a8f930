/**
 * The host's outstanding PINGs, by nonce, each waiting for its PONG until a deadline.
 */
import type { Clock } from './clock.js';
import { protocolError, type ProtocolError } from './errors.js';

interface PongWaiter {
  startedAt: number;
  timer: unknown;
  resolve: (roundTripMs: number) => void;
  reject: (error: ProtocolError) => void;
}

export class PendingPings {
  private readonly waiters = new Map<number, PongWaiter>();
  private nextNonce = 1;

  constructor(private readonly clock: Clock, private readonly timeoutMs: number) {}

  /** A fresh nonce (u32, never 0) and the round trip in clock ms once answer(nonce) is called. */
  start(): { nonce: number; roundTrip: Promise<number> } {
    const nonce = this.nextNonce;
    this.nextNonce = (nonce % 0xffffffff) + 1;
    const roundTrip = new Promise<number>((resolve, reject) => {
      const waiter: PongWaiter = { startedAt: this.clock.now(), timer: undefined, resolve, reject };
      waiter.timer = this.clock.setTimeout(() => {
        this.waiters.delete(nonce);
        reject(protocolError('NO_ACK', `no PONG for nonce ${nonce} within ${this.timeoutMs} ms`, { nonce }));
      }, this.timeoutMs);
      this.waiters.set(nonce, waiter);
    });
    return { nonce, roundTrip };
  }

  /** A PONG arrived; one for a ping that already ended is ignored. */
  answer(nonce: number): void {
    const waiter = this.take(nonce);
    waiter?.resolve(this.clock.now() - waiter.startedAt);
  }

  fail(nonce: number, error: ProtocolError): void {
    this.take(nonce)?.reject(error);
  }

  failAll(error: () => ProtocolError): void {
    for (const nonce of [...this.waiters.keys()]) this.fail(nonce, error());
  }

  private take(nonce: number): PongWaiter | undefined {
    const waiter = this.waiters.get(nonce);
    if (waiter === undefined) return undefined;
    this.waiters.delete(nonce);
    this.clock.clearTimeout(waiter.timer);
    return waiter;
  }
}
