/**
 * TenkeyKeypad.ping(): one PING → PONG through the real link to a virtual keypad, resolving with the round trip,
 * or a typed CONNECTION error when there is no keypad to answer.
 */
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../protocol/index.js';
import { TenkeyError, type TenkeyKeypad } from '../../host-driver/index.js';
import { nextConnection, open, rejectionOf, simulator, type Transport } from './harness.js';

/** Nonces of the PINGs the keypad received and of the PONGs it sent. */
function pingTraffic(frames: { in: Frame[]; out: Frame[] }): { pings: number[]; pongs: number[] } {
  const nonces = (list: Frame[], type: 'PING' | 'PONG') =>
    list.flatMap((f) => (f.message.type === type && !f.retransmission ? [f.message.nonce] : []));
  return { pings: nonces(frames.in, 'PING'), pongs: nonces(frames.out, 'PONG') };
}

describe('TenkeyKeypad.ping()', () => {
  it.each<Transport>(['pty', 'tcp'])('over %s: resolves with the round trip in ms once the keypad answered PONG', async (transport) => {
    const sim = await simulator(transport);
    const keypad = await open({ device: sim.address, link: { pingIntervalMs: false } });
    const frames = { in: [] as Frame[], out: [] as Frame[] };
    sim.keypad.on('frame-in', (f) => frames.in.push(f));
    sim.keypad.on('frame-out', (f) => frames.out.push(f));

    const roundTripMs = await keypad.ping();

    expect(Number.isFinite(roundTripMs)).toBe(true);
    expect(roundTripMs).toBeGreaterThanOrEqual(0);
    const { pings, pongs } = pingTraffic(frames);
    expect(pings).toHaveLength(1);
    expect(pongs).toEqual(pings);
  });

  it('pings sent together each get their own PONG', async () => {
    const sim = await simulator('pty');
    const keypad = await open({ device: sim.address, link: { pingIntervalMs: false } });
    const frames = { in: [] as Frame[], out: [] as Frame[] };
    sim.keypad.on('frame-in', (f) => frames.in.push(f));
    sim.keypad.on('frame-out', (f) => frames.out.push(f));

    const roundTrips = await Promise.all([keypad.ping(), keypad.ping(), keypad.ping()]);

    expect(roundTrips.every((ms) => Number.isFinite(ms) && ms >= 0)).toBe(true);
    const { pings, pongs } = pingTraffic(frames);
    expect(new Set(pings).size).toBe(3);
    expect(pongs).toEqual(pings);
  });

  it('rejects CONNECTION / CLOSED after close()', async () => {
    const sim = await simulator('pty');
    const keypad = await open({ device: sim.address });
    await keypad.close();
    const error = await rejectionOf(keypad.ping());
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code: 'CONNECTION', reason: 'CLOSED' });
  });

  it.each<Transport>(['pty', 'tcp'])('over %s: rejects CONNECTION / NOT_CONNECTED while the keypad is away', async (transport) => {
    const sim = await simulator(transport);
    const keypad = await open({ device: sim.address, reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    const lost = nextConnection(keypad, 'disconnected');
    await sim.vanish();
    await lost;
    const error = await rejectionOf(keypad.ping());
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code: 'CONNECTION', reason: 'NOT_CONNECTED' });
  });

  it('rejects CONNECTION / NO_ACK when the keypad stops answering (its port stays open, nobody reads it)', async () => {
    const sim = await simulator('pty');
    const keypad = await open({ device: sim.address, link: { pingIntervalMs: false, ackTimeoutMs: 20, maxRetransmissions: 1 } });
    sim.keypad.detach();
    const error = await rejectionOf(keypad.ping());
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code: 'CONNECTION', reason: 'NO_ACK' });
  });
});
