import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { FaultStream } from '../../device-sim/faults/fault-stream.js';
import { mulberry32 } from '../../device-sim/faults/prng.js';
import type { FaultSpec } from '../../device-sim/faults/fault-spec.js';

const streams: FaultStream[] = [];
function faultStream(faults: Partial<FaultSpec> | string, clock?: SimulatedClock): FaultStream {
  const stream = new FaultStream(clock === undefined ? { faults } : { faults, clock });
  streams.push(stream);
  return stream;
}
afterEach(() => {
  for (const s of streams.splice(0)) s.destroy();
});

/** Deterministic input: a seeded byte pattern of the given size. */
function bytes(size: number, seed = 7): Buffer {
  const random = mulberry32(seed);
  return Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)));
}

/** Push chunks through a fresh stream and collect everything it outputs. */
async function run(faults: Partial<FaultSpec> | string, chunks: Buffer[]): Promise<{ out: Buffer; stream: FaultStream }> {
  const stream = faultStream(faults);
  const collected = stream.toArray();
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  return { out: Buffer.concat((await collected) as Buffer[]), stream };
}

function popcount(byte: number): number {
  let count = 0;
  for (let b = byte; b !== 0; b >>= 1) count += b & 1;
  return count;
}

/** Loose bounds: the seed is fixed, so these never flake; they only catch a rate that is plainly wrong. */
function expectRate(count: number, total: number, rate: number): void {
  expect(count / total).toBeGreaterThan(rate * 0.8);
  expect(count / total).toBeLessThan(rate * 1.2);
}

describe('FaultStream', () => {
  it('passes bytes through unchanged when no byte fault is set', async () => {
    const input = bytes(4096);
    const { out, stream } = await run('busy,seed=3', [input.subarray(0, 100), input.subarray(100)]);
    expect(out).toEqual(input);
    expect(stream.stats).toMatchObject({ bytesIn: 4096, bytesOut: 4096, dropped: 0, corrupted: 0, duplicated: 0 });
  });

  it('replays exactly the same faults from the same seed, and different ones from another seed', async () => {
    const input = bytes(20_000);
    const spec = 'drop=0.05,corrupt=0.05,duplicate=0.05';
    const first = await run(`${spec},seed=42`, [input]);
    const again = await run(`${spec},seed=42`, [input]);
    const other = await run(`${spec},seed=43`, [input]);
    expect(again.out).toEqual(first.out);
    expect(again.stream.stats).toEqual(first.stream.stats);
    expect(other.out).not.toEqual(first.out);
  });

  it('gives the same output however the input is chunked', async () => {
    const input = bytes(512);
    const whole = (await run('drop=0.1,corrupt=0.1,duplicate=0.1,seed=5', [input])).out;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: 511 }), { maxLength: 20 }), async (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), 512];
        const chunks = points.slice(1).map((end, i) => input.subarray(points[i], end));
        expect((await run('drop=0.1,corrupt=0.1,duplicate=0.1,seed=5', chunks)).out).toEqual(whole);
      }),
      { numRuns: 30 },
    );
  });

  it('drops bytes at about the given rate, keeping the rest in order', async () => {
    const input = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    const { out, stream } = await run('drop=0.1,seed=11', [input]);
    expectRate(stream.stats.dropped, input.length, 0.1);
    expect(out.length).toBe(input.length - stream.stats.dropped);
    // What remains is a subsequence of the input (nothing invented, nothing reordered).
    let i = 0;
    for (const byte of out) {
      while (i < input.length && input[i] !== byte) i++;
      i++;
    }
    expect(i).toBeLessThanOrEqual(input.length);
  });

  it('corrupts bytes at about the given rate by flipping exactly one bit', async () => {
    const input = bytes(100_000);
    const { out, stream } = await run('corrupt=0.05,seed=12', [input]);
    expect(out.length).toBe(input.length);
    let changed = 0;
    let multiBit = 0;
    for (let i = 0; i < input.length; i++) {
      const flipped = popcount((input[i] ?? 0) ^ (out[i] ?? 0));
      if (flipped === 1) changed++;
      if (flipped > 1) multiBit++;
    }
    expect(multiBit).toBe(0);
    expect(changed).toBe(stream.stats.corrupted);
    expectRate(changed, input.length, 0.05);
  });

  it('duplicates bytes at about the given rate', async () => {
    const input = bytes(100_000);
    const { out, stream } = await run('duplicate=0.02,seed=13', [input]);
    expect(out.length).toBe(input.length + stream.stats.duplicated);
    expectRate(stream.stats.duplicated, input.length, 0.02);
  });

  it('with rate 1 drops everything, or doubles everything', async () => {
    expect((await run('drop=1', [bytes(1000)])).out.length).toBe(0);
    const input = bytes(1000);
    const doubled = Buffer.from([...input].flatMap((b) => [b, b]));
    expect((await run('duplicate=100%', [input])).out).toEqual(doubled);
  });

  it('swallows everything when silent', async () => {
    const { out, stream } = await run('silent,drop=0.5', [bytes(5000), bytes(10)]);
    expect(out.length).toBe(0);
    expect(stream.stats).toMatchObject({ bytesIn: 5010, silenced: 5010, bytesOut: 0 });
  });

  it('delays every chunk by delayMs on the injected clock, in order, and ends only after the last one', async () => {
    const clock = new SimulatedClock();
    const stream = faultStream('delay=20ms', clock);
    const out: Buffer[] = [];
    let ended = false;
    stream.on('data', (chunk: Buffer) => out.push(chunk));
    stream.on('end', () => (ended = true));
    const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

    stream.write(Buffer.from('a'));
    await tick();
    clock.increment(10);
    stream.write(Buffer.from('b'));
    stream.end();
    await tick();
    clock.increment(9);
    await tick();
    expect(out).toEqual([]);
    clock.increment(1); // 'a' is due (20 ms), 'b' is not (due at 30)
    await tick();
    expect(Buffer.concat(out).toString()).toBe('a');
    expect(ended).toBe(false);
    clock.increment(10);
    await tick();
    await tick();
    expect(Buffer.concat(out).toString()).toBe('ab');
    expect(ended).toBe(true);
  });

  it('cancels pending delays when destroyed', async () => {
    const clock = new SimulatedClock();
    const stream = faultStream('delay=1s', clock);
    const out: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => out.push(chunk));
    stream.write(Buffer.from('late'));
    await new Promise((resolve) => setImmediate(resolve));
    stream.destroy();
    clock.increment(1000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(out).toEqual([]);
  });

  it('rejects a bad fault spec at construction', () => {
    expect(() => new FaultStream({ faults: 'drop=2' })).toThrow(expect.objectContaining({ code: 'BAD_RATE' }) as Error);
  });
});

describe('mulberry32', () => {
  it('is reproducible from its seed and stays in [0, 1)', () => {
    const a = mulberry32(99);
    const b = mulberry32(99);
    const values = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(values);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(990);
  });
});
