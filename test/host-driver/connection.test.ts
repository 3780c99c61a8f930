import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTenkey, TenkeyError, type ConnectionEvent, type TenkeyKeypad } from '../../host-driver/index.js';
import { blackholedAddress } from './blackhole.js';
import { cardKeys, nextConnection, open, progressWhere, recordingLogger, rejectionOf, simulator, TEST_CARDS, type Transport } from './harness.js';

/** Fast reconnects for tests: the behaviour is the same, the waits shorter. */
const QUICK_RECONNECT = { initialDelayMs: 20, maxDelayMs: 200 };

/** A TCP port nothing listens on (bound once, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function connectionEvents(keypad: TenkeyKeypad): ConnectionEvent[] {
  const events: ConnectionEvent[] = [];
  keypad.on('connection', (e) => events.push(e));
  return events;
}

describe('openTenkey settings (重要項目設定)', () => {
  it('fails CONNECTION / DISABLED when テンキーパッド入力 is OFF, without touching the keypad', async () => {
    const sim = await simulator('tcp');
    let attached = false;
    sim.keypad.on('connection', () => {
      attached = true;
    });
    const error = await rejectionOf(openTenkey({ device: sim.address, enabled: false }));
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code: 'CONNECTION', reason: 'DISABLED', messageJa: 'テンキーパッドの接続状況や設定を確認ください。' });
    expect(attached).toBe(false);
  });

  it('fails CONNECTION / UNKNOWN_SERVICE for a 利用サービス it does not know', async () => {
    expect(await rejectionOf(openTenkey({ device: 'tcp://127.0.0.1:1', service: 'no-such-pay' }))).toMatchObject({
      code: 'CONNECTION', reason: 'UNKNOWN_SERVICE',
    });
  });

  it('fails CONNECTION / BAD_ADDRESS for an address that is neither a path nor tcp://HOST:PORT', async () => {
    expect(await rejectionOf(openTenkey({ device: '192.168.0.50:7780' }))).toMatchObject({ code: 'CONNECTION', reason: 'BAD_ADDRESS' });
  });
});

describe('openTenkey failures', () => {
  it('fails CONNECTION / ENOENT for a serial path that does not exist', async () => {
    const error = await rejectionOf(openTenkey({ device: '/dev/tenkey-no-such-port' }));
    expect(error).toMatchObject({ code: 'CONNECTION', reason: 'ENOENT' });
    // serialport's own error, whole, for support: the full message names the path.
    expect((error as TenkeyError).cause).toBeInstanceOf(Error);
    expect((error as TenkeyError).cause?.message).toMatch(/No such file or directory.*\/dev\/tenkey-no-such-port/);
  });

  it('fails CONNECTION / ENOTTY for a path that is not a serial port', async () => {
    const file = join(tmpdir(), `tenkey-not-a-tty-${process.pid}`);
    writeFileSync(file, '');
    expect(await rejectionOf(openTenkey({ device: file }))).toMatchObject({ code: 'CONNECTION', reason: 'ENOTTY' });
  });

  it('fails CONNECTION / ECONNREFUSED for a TCP port nothing listens on', async () => {
    const port = await freePort();
    expect(await rejectionOf(openTenkey({ device: `tcp://127.0.0.1:${port}` }))).toMatchObject({ code: 'CONNECTION', reason: 'ECONNREFUSED' });
  });

  it('fails CONNECTION / CONNECT_TIMEOUT when a TCP connect does not complete within connectTimeoutMs', async () => {
    const address = await blackholedAddress();
    const started = Date.now();
    const error = await rejectionOf(openTenkey({ device: address, connectTimeoutMs: 300, reconnect: false }));
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code: 'CONNECTION', reason: 'CONNECT_TIMEOUT', detail: `${address} did not open within 300 ms` });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails CONNECTION / NO_ACK when the keypad is silent', async () => {
    const sim = await simulator('pty', { faults: 'silent' });
    const error = await rejectionOf(openTenkey({ device: sim.address, link: { ackTimeoutMs: 50 } }));
    expect(error).toMatchObject({ code: 'CONNECTION', reason: 'NO_ACK' });
  });

  it('fails TEMPORARY / BUSY when another host already holds the TCP keypad', async () => {
    const sim = await simulator('tcp');
    await open({ device: sim.address });
    expect(await rejectionOf(openTenkey({ device: sim.address }))).toMatchObject({ code: 'TEMPORARY', reason: 'BUSY' });
  });
});

describe('a keypad unplugged and plugged back', () => {
  it.each<Transport>(['pty', 'tcp'])('over %s: the entry in flight fails CONNECTION, the driver reconnects, the next readCard works', async (transport) => {
    const sim = await simulator(transport);
    const keypad = await open({ device: sim.address, reconnect: QUICK_RECONNECT });
    const events = connectionEvents(keypad);
    const reading = rejectionOf(keypad.readCard());
    await progressWhere(keypad, (p) => p.state === 'PAN');
    await sim.keypad.type('4111');

    await sim.vanish();
    const error = await reading;
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code: 'CONNECTION' });
    expect(keypad.status).toBe('reconnecting');
    expect(await rejectionOf(keypad.readCard())).toMatchObject({ code: 'CONNECTION', reason: 'NOT_CONNECTED' });

    const reconnected = nextConnection(keypad, 'connected');
    await sim.reappear();
    expect(await reconnected).toMatchObject({ status: 'connected', device: { model: 'TENKEY-SIM' } });
    expect(events.map((e) => e.status).slice(0, 2)).toEqual(['disconnected', 'reconnecting']);

    const next = keypad.readCard();
    await progressWhere(keypad, (p) => p.state === 'PAN');
    void sim.keypad.type(cardKeys(TEST_CARDS['american-express']));
    expect(await next).toMatchObject({ brand: 'american-express', last: '005' });
  });

  it('notices a vanished idle keypad without any entry running (keepalive), and backs off while it stays away', async () => {
    const sim = await simulator('pty');
    const keypad = await open({ device: sim.address, reconnect: QUICK_RECONNECT });
    const events = connectionEvents(keypad);
    const lost = nextConnection(keypad, 'disconnected');
    await sim.vanish();
    expect((await lost).error).toBeInstanceOf(TenkeyError);
    // Let a few attempts fail (the port is still gone): delays grow and stay bounded.
    await new Promise<void>((resolve) => {
      const check = () => {
        if (events.filter((e) => e.status === 'reconnecting').length < 5) return;
        keypad.off('connection', check);
        resolve();
      };
      keypad.on('connection', check);
    });
    const delays = events.filter((e) => e.status === 'reconnecting').map((e) => e.delayMs!);
    expect(events.filter((e) => e.status === 'connected')).toEqual([]);
    expect(delays).toEqual([20, 40, 80, 160, 200]);
    const back = nextConnection(keypad, 'connected');
    await sim.reappear();
    await back;
    expect(keypad.status).toBe('connected');
  });

  it('without reconnect, a lost keypad stays lost', async () => {
    const sim = await simulator('tcp');
    const keypad = await open({ device: sim.address, reconnect: false });
    const lost = nextConnection(keypad, 'disconnected');
    await sim.vanish();
    await lost;
    expect(keypad.status).toBe('closed');
    expect(await rejectionOf(keypad.readCard())).toMatchObject({ code: 'CONNECTION' });
  });
});

describe('a noisy line', () => {
  it('completes an entry with 1 % of the bytes corrupted both ways (seeded), through retransmission', async () => {
    const sim = await simulator('pty', { keys: cardKeys(TEST_CARDS.visa), faults: 'corrupt=1%,seed=42' });
    const logger = recordingLogger();
    const keypad = await open({ device: sim.address, logger });
    const card = await keypad.readCard();
    expect(card).toMatchObject({ brand: 'visa', last: '111' });
    // The faults really hit: the driver dropped corrupt frames and/or retransmitted, and still got the card.
    const repairs = logger.lines.filter((l) => l.message === 'frame dropped' || l.message === 'retransmit' || l.message === 'NAK received');
    expect(repairs.length).toBeGreaterThan(0);
  });
});

describe('close()', () => {
  it('ends a running entry with CONNECTION / CLOSED and is idempotent', async () => {
    const sim = await simulator('tcp');
    const keypad = await openTenkey({ device: sim.address });
    const reading = rejectionOf(keypad.readCard());
    await progressWhere(keypad, (p) => p.state === 'PAN');
    await keypad.close();
    await keypad.close();
    expect(await reading).toMatchObject({ code: 'CONNECTION', reason: 'CLOSED' });
    expect(keypad.status).toBe('closed');
    expect(await rejectionOf(keypad.readCard())).toMatchObject({ code: 'CONNECTION', reason: 'CLOSED' });
  });
});
