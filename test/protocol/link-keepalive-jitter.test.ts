/**
 * Keepalive jitter (PROTOCOL.md §6.4): a host link may shorten each keepalive wait at random, so many links opened
 * in one process at the same moment do not PING in one burst every second. Virtual time (xstate's SimulatedClock);
 * host and device talk through real frame bytes with 1 ms of wire latency.
 */
import { SimulatedClock } from 'xstate';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrame, PING_INTERVAL_MS } from '../../protocol/index.js';
import { LinkEndpoint, type LinkEndpointOptions } from '../../protocol/link.js';

const WIRE_LATENCY_MS = 1;
const opened: LinkEndpoint[] = [];
afterEach(() => {
  for (const link of opened.splice(0)) link.close();
});

/** A host link (with `options`) wired to a device link on `clock`; returns the clock times of the host's first-copy PINGs. */
function hostWithDevice(clock: SimulatedClock, options: Partial<LinkEndpointOptions>): number[] {
  const pings: number[] = [];
  const wire = (to: () => LinkEndpoint) => (bytes: Buffer): void => {
    const decoded = decodeFrame(bytes);
    if (!decoded.ok) throw new Error(`undecodable frame: ${decoded.error.message}`);
    clock.setTimeout(() => to().receiveFrame(decoded.frame), WIRE_LATENCY_MS);
  };
  const host: LinkEndpoint = new LinkEndpoint({ role: 'host', clock, write: wire(() => device), deadAfterMs: false, ...options });
  const device: LinkEndpoint = new LinkEndpoint({ role: 'device', clock, write: wire(() => host) });
  host.on('sent', (frame) => {
    if (frame.message.type === 'PING') pings.push(clock.now());
  });
  opened.push(host, device);
  return pings;
}

/** SimulatedClock fires a big jump's timers all at its end: move 1 ms at a time. */
function advance(clock: SimulatedClock, ms: number): void {
  for (let i = 0; i < ms; i++) clock.increment(1);
}

describe('LinkEndpoint keepalive jitter', () => {
  it('shortens each keepalive wait by pingJitter × random(), counted from the last message sent', () => {
    const clock = new SimulatedClock();
    const draws = [0.5, 0, 0.75, 0.25];
    const pings = hostWithDevice(clock, { pingIntervalMs: 1000, pingJitter: 0.2, random: () => draws.shift() ?? 0 });
    advance(clock, 3500);
    // 1000 × (1 − 0.2 × 0.5) = 900; then 1000, 850, 950 after each PING.
    expect(pings).toEqual([900, 1900, 2750]);
  });

  it('keeps the exact cadence without jitter (the default)', () => {
    const clock = new SimulatedClock();
    const pings = hostWithDevice(clock, { pingIntervalMs: PING_INTERVAL_MS, random: () => 0.9 });
    advance(clock, 3 * PING_INTERVAL_MS);
    expect(pings).toEqual([1, 2, 3].map((n) => n * PING_INTERVAL_MS));
  });

  it('many hosts opened at the same instant drift apart instead of pinging in phase, never waiting longer than the interval', () => {
    const clock = new SimulatedClock();
    const hosts = Array.from({ length: 8 }, () => hostWithDevice(clock, { pingIntervalMs: 1000, pingJitter: 0.2 }));
    advance(clock, 10_000);
    for (const pings of hosts) {
      expect(pings.length).toBeGreaterThanOrEqual(10);
      const waits = pings.map((at, i) => at - (i === 0 ? 0 : pings[i - 1]!));
      // Whole-ms clock steps: a wait of 800.4 ms shows as 801.
      for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(800);
      for (const wait of waits) expect(wait).toBeLessThanOrEqual(1000);
    }
    // After ten rounds the hosts' PINGs fall at (nearly all) different instants; without jitter they would all coincide.
    const tenthPings = new Set(hosts.map((pings) => pings[9]));
    expect(tenthPings.size).toBeGreaterThan(4);
  });

  it.each([
    ['a jitter of 1 (a wait of 0)', { pingJitter: 1 }],
    ['a negative jitter (a wait past the interval)', { pingJitter: -0.1 }],
    ['a jitter that is not a number', { pingJitter: '0.2' as unknown as number }],
    ['NaN', { pingJitter: Number.NaN }],
    ['a random that is not a function', { random: 0.5 as unknown as () => number }],
  ])('refuses %s with a TypeError', (_, options) => {
    expect(() => new LinkEndpoint({ role: 'host', write: () => {}, ...options })).toThrow(TypeError);
  });
});
