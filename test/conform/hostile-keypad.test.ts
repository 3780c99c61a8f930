/**
 * `tenkey conform` against hostile keypads costs bounded memory: a keypad that floods frames fails the check it
 * floods (the probe keeps at most MAX_KEPT_PER_CHECK), and one that never reads fails the run with PEER_NOT_READING
 * (the probe writes within the link's write budget, as the driver does).
 */
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFORM_CHECKS } from '../../conform/checks/index.js';
import { apiKeys } from '../../conform/key-source.js';
import { ConformProbe, MAX_KEPT_PER_CHECK } from '../../conform/probe.js';
import { runConformance } from '../../conform/runner.js';
import type { ByteTransport, ByteTransportEvents } from '../../host-driver/transport/byte-transport.js';
import { encodeFrame, MAX_UNWRITTEN_BYTES } from '../../protocol/index.js';

/** A transport whose far end is the test: it emits what the keypad "sends" and counts what the probe writes. */
class FakeTransport extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  readonly description = 'fake://keypad';
  writableLength = 0;
  written = 0;
  write(bytes: Buffer): void {
    this.written += bytes.length;
  }
  async close(): Promise<void> {}
}

const pong = (i: number): Buffer => encodeFrame({ type: 'PONG', nonce: i }, i & 0xff, { fromDevice: true });
const probes: ConformProbe[] = [];
const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  await Promise.all(probes.splice(0).map((p) => p.close()));
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

function probeOn(transport: FakeTransport): ConformProbe {
  const probe = new ConformProbe(transport);
  probes.push(probe);
  return probe;
}

describe('the conform probe against a hostile keypad', () => {
  it('keeps at most MAX_KEPT_PER_CHECK frames of a flood, fails the check "keypad floods", and waitFor gives up at once', async () => {
    const transport = new FakeTransport();
    const probe = probeOn(transport);
    const mark = probe.mark();
    const waiting = probe.waitFor(mark, (f) => f.message.type === 'STATUS', 60_000);
    for (let i = 0; i < 10 * MAX_KEPT_PER_CHECK; i++) transport.emit('data', pong(i));
    expect(probe.heard.length).toBeLessThanOrEqual(MAX_KEPT_PER_CHECK);
    expect(probe.failure).toMatch(/keypad floods/);
    expect(await waiting).toBeUndefined();
    // Only the kept frames were ACKed.
    expect(transport.written).toBeLessThanOrEqual(MAX_KEPT_PER_CHECK * pong(0).length);
    probe.beginCheck();
    expect(probe.failure).toBeUndefined();
    expect(probe.heard).toEqual([]);
    expect(probe.mark()).toBe(MAX_KEPT_PER_CHECK);
  });

  it('keeps at most MAX_KEPT_PER_CHECK undecodable frames of a garbage flood', () => {
    const transport = new FakeTransport();
    const probe = probeOn(transport);
    const garbage = Buffer.concat(Array.from({ length: 10 * MAX_KEPT_PER_CHECK }, () => Buffer.of(0x03, 0x01, 0x02, 0x00)));
    transport.emit('data', garbage);
    expect(probe.drops.length).toBeLessThanOrEqual(MAX_KEPT_PER_CHECK);
    expect(probe.failure).toMatch(/keypad floods/);
  });

  it('writes within the budget: a keypad that does not read fails the run with PEER_NOT_READING', () => {
    const transport = new FakeTransport();
    const probe = probeOn(transport);
    transport.writableLength = MAX_UNWRITTEN_BYTES;
    transport.emit('data', pong(1));
    expect(transport.written).toBe(0);
    expect(probe.runFailure).toMatch(/PEER_NOT_READING/);
    probe.beginCheck();
    expect(probe.failure).toMatch(/PEER_NOT_READING/);
    probe.send({ type: 'GET_STATUS' });
    expect(transport.written).toBe(0);
  });
});

/** A TCP keypad that never reads and sends PONGs as fast as its own socket takes them. */
async function floodingKeypad(): Promise<string> {
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.pause();
    socket.on('error', () => {});
    let i = 0;
    const flood = (): void => {
      if (socket.destroyed) return;
      while (socket.writableLength < 64 * 1024) socket.write(pong(i++));
      setImmediate(flood);
    };
    flood();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('tenkey conform against a flooding keypad', () => {
  it('ends, every check failed, with the flood named', async () => {
    const device = await floodingKeypad();
    const checks = CONFORM_CHECKS.filter((c) => c.group === 'link' || c.group === 'handshake');
    const report = await runConformance({ device, keys: apiKeys(async () => {}), checks });
    expect(report.conforms).toBe(false);
    expect(report.results).toHaveLength(checks.length);
    for (const result of report.results) {
      expect(result.outcome).toBe('fail');
      expect(result.detail).toMatch(/keypad floods|PEER_NOT_READING/);
    }
  }, 60_000);
});
