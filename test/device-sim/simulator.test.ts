/** Issue #3 "done when": a real host over a real PTY (serialport) and real TCP gets a RESULT that decrypts to the typed card. */
import { describe, expect, it } from 'vitest';
import { decryptCardBlock } from '../../device-sim/crypto/card-block-decrypt.js';
import { loadTestKeys } from '../../device-sim/crypto/test-keys.js';
import { busyRefusalFrame } from '../../device-sim/virtual-keypad.js';
import { FrameDecoder, type Frame } from '../../protocol/index.js';
import { findCardNumbers } from '../capture/pan-scan.js';
import { simulatorPool } from './simulators.js';
import { connectTcp, startEntryMessage, type TestHost } from './test-host.js';

const PAN = '4111111111111111';
const INVALID_THEN_VALID = `4111111111111112<enter>${PAN}<enter>1230<enter>`;

const pool = simulatorPool();
const { sim, tcpHost } = pool;

/** No card number in any encoding, in either direction's byte stream or any COBS-decoded frame body. */
function expectNoPan(host: TestHost, ...pans: string[]): void {
  expect(findCardNumbers(host.capture(), pans)).toEqual([]);
}

describe('virtual keypad over a PTY', () => {
  it('serves a scripted entry to a serialport host: RESULT decrypts to the typed card, no PAN on the wire', async () => {
    const s = await sim({ listen: 'pty', keys: INVALID_THEN_VALID });
    const host = await pool.serialHost(s);
    const info = await host.hello();
    expect(info.model).toBe('TENKEY-SIM');
    await host.send(startEntryMessage(42));
    const end = await host.end();
    expect(end.type).toBe('RESULT');
    if (end.type !== 'RESULT') return;
    expect(end).toMatchObject({ sessionId: 42, brand: 'visa', last: '111' });
    expect(decryptCardBlock(loadTestKeys().bdk, end.keySerialNumber, end.encryptedBlock)).toEqual({ pan: PAN, expiry: '1230' });
    // the invalid number first came back as a notice, not an end
    expect(host.received.some((m) => m.type === 'KEY' && m.notice === 'INVALID_PAN')).toBe(true);
    expectNoPan(host, PAN, '4111111111111112');
    expect(JSON.stringify(s.keypad.display())).not.toContain(PAN);
  });

  it('keeps its link path across vanish() and reappear()', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const link = join(mkdtempSync(join(tmpdir(), 'tenkey-sim-')), 'keypad');
    const s = await sim({ listen: 'pty', link });
    expect(s.address).toBe(link);
    await s.vanish();
    expect(s.present).toBe(false);
    await s.reappear();
    const host = await pool.serialHost(s);
    expect((await host.hello()).type).toBe('INFO');
  });
});

describe('virtual keypad over TCP', () => {
  /** A scripted entry served to a net.Socket host: its RESULT, checked to decrypt to the typed card. */
  async function scriptedResult(options: { cardBlockSeed?: number } = {}) {
    const s = await sim({ listen: 'tcp://127.0.0.1:0', keys: `${PAN}<enter>1230<enter>`, ...options });
    const host = await tcpHost(s);
    await host.hello();
    await host.send(startEntryMessage(7));
    const end = await host.end();
    if (end.type !== 'RESULT') throw new Error(`expected RESULT, got ${end.type}`);
    expect(decryptCardBlock(loadTestKeys().bdk, end.keySerialNumber, end.encryptedBlock)).toEqual({ pan: PAN, expiry: '1230' });
    return { host, end };
  }

  it('serves a scripted entry to a net.Socket host', async () => {
    const { host } = await scriptedResult();
    expectNoPan(host, PAN);
  });

  it('with a cardBlockSeed sends the same RESULT bytes run after run (captures replay byte for byte); without, a fresh IV', async () => {
    const blockOf = async (options: { cardBlockSeed?: number }) => Buffer.from((await scriptedResult(options)).end.encryptedBlock).toString('hex');
    expect(await blockOf({ cardBlockSeed: 1 })).toBe(await blockOf({ cardBlockSeed: 1 }));
    expect(await blockOf({ cardBlockSeed: 2 })).not.toBe(await blockOf({ cardBlockSeed: 1 }));
    expect(await blockOf({})).not.toBe(await blockOf({}));
  });

  it('answers a second START_ENTRY while one runs with BUSY, and CANCEL of another session with NO_SESSION', async () => {
    const s = await sim({ listen: 'tcp://127.0.0.1:0' });
    const host = await tcpHost(s);
    await host.hello();
    await host.send(startEntryMessage(1));
    await host.next('STATUS');
    await host.send(startEntryMessage(2));
    expect(await host.next('ERROR')).toMatchObject({ sessionId: 2, code: 'BUSY' });
    await host.send({ type: 'CANCEL', sessionId: 99 });
    expect(await host.next('ERROR')).toMatchObject({ sessionId: 99, code: 'NO_SESSION' });
    await host.send({ type: 'CANCEL', sessionId: 1 });
    expect(await host.next('ERROR')).toMatchObject({ sessionId: 1, code: 'CANCELLED' });
  });

  it('refuses a second TCP host with an ERROR BUSY frame and closes it', async () => {
    const s = await sim({ listen: 'tcp://127.0.0.1:0' });
    const first = await tcpHost(s);
    await first.hello();
    const second = await connectTcp(s.address);
    const frames: Frame[] = [];
    const decoder = new FrameDecoder();
    decoder.on('data', (f: Frame) => frames.push(f));
    second.on('data', (b: Buffer) => decoder.write(b));
    await new Promise<void>((resolve) => second.once('close', () => resolve()));
    expect(frames.map((f) => f.message)).toEqual([{ type: 'ERROR', sessionId: 0, code: 'BUSY', detail: 'another host is connected' }]);
    expect(busyRefusalFrame().length).toBeGreaterThan(0);
  });

  it('answers an unsupported HELLO range with UNSUPPORTED_VERSION', async () => {
    const s = await sim({ listen: 'tcp://127.0.0.1:0' });
    const host = await tcpHost(s);
    await host.send({ type: 'HELLO', minVersion: 2, maxVersion: 3 });
    expect(await host.next('ERROR')).toMatchObject({ code: 'UNSUPPORTED_VERSION' });
  });

  it('refuses a brand its card service does not take', async () => {
    const s = await sim({ listen: 'tcp://127.0.0.1:0', service: 'visa-master', keys: '3530111333300000<enter>' });
    const host = await tcpHost(s);
    await host.hello();
    await host.send(startEntryMessage(5));
    expect(await host.end()).toMatchObject({ type: 'ERROR', code: 'UNSUPPORTED_BRAND' });
  });
});
