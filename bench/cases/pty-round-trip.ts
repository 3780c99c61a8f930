/**
 * The physical floor under the protocol (issue #7): a raw PTY echo round trip (one byte out through the driver's
 * serial transport, straight back from the PTY master) against a PING→PONG round trip through the real driver and a
 * virtual keypad on a PTY. Rounds alternate the two, so a burst of load on a shared machine hits both alike.
 * Target: PING→PONG within 3× the raw echo (median).
 */
import type { BenchCase, BenchRecord } from '../record.js';
import { percentile } from '../scale/percentile.js';
import { openPingPong, openRawEcho, type RoundTripPeer } from '../scale/round-trip-peers.js';

const TRIPS_PER_ROUND = 400;
const TARGET_FACTOR = 3;

async function tripsOf(peer: RoundTripPeer, count: number): Promise<number[]> {
  const trips: number[] = [];
  for (let i = 0; i < count; i++) trips.push(await peer.roundTrip());
  return trips;
}

export const ptyRoundTripCase: BenchCase = {
  name: 'pty-round-trip',
  async run({ repetitions, log }) {
    log(`pty-round-trip: raw PTY echo vs PING→PONG, ${TRIPS_PER_ROUND} sequential round trips each per round, `
      + `${repetitions} rounds (+1 warm-up), alternating`);
    const echo = await openRawEcho();
    const samples = { echo: [] as number[], ping: [] as number[] };
    try {
      const ping = await openPingPong();
      try {
        for (let round = -1; round < repetitions; round++) {
          const echoTrips = await tripsOf(echo, TRIPS_PER_ROUND);
          const pingTrips = await tripsOf(ping, TRIPS_PER_ROUND);
          if (round < 0) continue;
          samples.echo.push(...echoTrips);
          samples.ping.push(...pingTrips);
        }
      } finally {
        await ping.close();
      }
    } finally {
      await echo.close();
    }

    const µs = (ms: number) => ms * 1000;
    const stats = (trips: number[]) => ({ p50: percentile(trips, 50), p99: percentile(trips, 99) });
    const raw = stats(samples.echo);
    const pong = stats(samples.ping);
    const factor = pong.p50 / raw.p50;
    log(`  raw echo p50 ${µs(raw.p50).toFixed(0)} µs, p99 ${µs(raw.p99).toFixed(0)} µs; `
      + `PING→PONG p50 ${µs(pong.p50).toFixed(0)} µs, p99 ${µs(pong.p99).toFixed(0)} µs`);
    log(`pty-round-trip target: PING→PONG within ${TARGET_FACTOR}× the raw PTY echo: `
      + `${factor <= TARGET_FACTOR ? 'met' : 'NOT met'} (${factor.toFixed(2)}× at p50, ${(pong.p99 / raw.p99).toFixed(2)}× at p99)`);

    const records: BenchRecord[] = [
      { name: 'raw PTY echo round trip p50', value: µs(raw.p50), unit: 'µs', baseline: null, ratio: null },
      { name: 'raw PTY echo round trip p99', value: µs(raw.p99), unit: 'µs', baseline: null, ratio: null },
      { name: 'PING→PONG round trip p50', value: µs(pong.p50), unit: 'µs', baseline: 'raw PTY echo round trip p50', ratio: raw.p50 / pong.p50 },
      { name: 'PING→PONG round trip p99', value: µs(pong.p99), unit: 'µs', baseline: 'raw PTY echo round trip p99', ratio: raw.p99 / pong.p99 },
    ];
    return records;
  },
};
