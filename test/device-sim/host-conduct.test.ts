/**
 * `tenkey sim --strict`'s observer (device-sim/strict/host-conduct.ts): a well-behaved driver gives no violation;
 * each misbehaving raw host (a test peer writing frames with the protocol's encoders) gives its named violation.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { craftedFrame } from '../../conform/crafted-frame.js';
import { formatUnkeptViolations, HostConductObserver, MAX_KEPT_HOST_VIOLATIONS, type HostViolationName } from '../../device-sim/strict/host-conduct.js';
import { encodeFrame, FrameDecoder, MessageType, type Frame, type HostMessage } from '../../protocol/index.js';
import { cardKeys, open, simulator, TEST_CARDS } from '../host-driver/harness.js';
import { spawn } from 'node:child_process';

const sockets: Socket[] = [];
const observers: HostConductObserver[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const o of observers.splice(0)) o.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function strictSim() {
  const sim = await simulator('tcp');
  const observer = new HostConductObserver(sim.keypad);
  observers.push(observer);
  return { sim, observer };
}

/** A raw host: writes what a test tells it; ACKs the keypad's messages unless told not to. */
async function rawHost(address: string, options: { ack?: boolean } = {}) {
  const port = Number(/:(\d+)$/.exec(address)![1]);
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const decoder = new FrameDecoder();
  const heard: Frame[] = [];
  socket.on('data', (b) => decoder.write(b));
  socket.on('error', () => {});
  decoder.on('data', (frame: Frame) => {
    heard.push(frame);
    const type = frame.message.type;
    if (options.ack !== false && type !== 'ACK' && type !== 'NAK') socket.write(encodeFrame({ type: 'ACK' }, frame.seq, { fromDevice: false }));
  });
  return {
    heard,
    send: (message: HostMessage, seq: number) => socket.write(encodeFrame(message, seq)),
    raw: (bytes: Buffer) => socket.write(bytes),
  };
}

const HELLO: HostMessage = { type: 'HELLO', minVersion: 1, maxVersion: 1 };
const START = (sessionId: number): HostMessage => ({
  type: 'START_ENTRY', sessionId, inactivityTimeoutS: 30, reveal: 3, expiryRequired: true, acceptedBrands: [],
});

const names = (observer: HostConductObserver): HostViolationName[] => observer.violations.map((v) => v.name);

describe('tenkey sim --strict: host conduct', () => {
  it('a well-behaved driver (openTenkey reading a card, idle, cancelling) gives no violation', async () => {
    const { sim, observer } = await strictSim();
    const keypad = await open({ device: sim.address });
    const reading = keypad.readCard();
    await pause(100);
    await sim.keypad.type(cardKeys(TEST_CARDS.visa));
    await reading;
    await pause(2500); // idle: the driver's keepalive
    const second = keypad.readCard().catch(() => undefined);
    await pause(200);
    await keypad.cancel();
    await second;
    await keypad.close();
    expect(observer.violations).toEqual([]);
  }, 30_000);

  const cases: [string, HostViolationName, (host: Awaited<ReturnType<typeof rawHost>>) => Promise<void>][] = [
    ['a bad seq', 'BAD_SEQ', async (h) => { h.send(HELLO, 0); await pause(50); h.send({ type: 'GET_STATUS' }, 5); }],
    ['a seq reused without the RETRANSMISSION flag', 'BAD_SEQ', async (h) => { h.send(HELLO, 0); await pause(50); h.send({ type: 'GET_STATUS' }, 1); await pause(50); h.send({ type: 'GET_STATUS' }, 1); }],
    ['a START_ENTRY while busy', 'START_WHILE_BUSY', async (h) => { h.send(HELLO, 0); await pause(50); h.send(START(7), 1); await pause(50); h.send(START(8), 2); }],
    ['no keepalive', 'NO_KEEPALIVE', async (h) => { h.send(HELLO, 0); await pause(1700); h.send({ type: 'GET_STATUS' }, 1); }],
    ['an unknown message type', 'UNKNOWN_TYPE', async (h) => { h.send(HELLO, 0); await pause(50); h.raw(craftedFrame({ seq: 1, type: 0x7e })); }],
    ['a device-only type sent to the device', 'WRONG_DIRECTION', async (h) => { h.send(HELLO, 0); await pause(50); h.raw(craftedFrame({ seq: 1, type: MessageType.PONG, payload: [0, 0, 0, 1] })); }],
    ["a frame with the device's direction flag", 'DEVICE_DIRECTION_FLAG', async (h) => { h.send(HELLO, 0); await pause(50); h.raw(craftedFrame({ seq: 1, type: MessageType.GET_STATUS, flags: 1 })); }],
    ['a frame with a bad CRC', 'MALFORMED_FRAME', async (h) => { h.send(HELLO, 0); await pause(50); h.raw(craftedFrame({ seq: 1, type: MessageType.GET_STATUS, badCrc: true })); }],
    ['a message before HELLO', 'MESSAGE_BEFORE_HELLO', async (h) => { h.send({ type: 'GET_STATUS' }, 0); }],
  ];
  for (const [what, name, act] of cases) {
    it(`${what} is ${name}`, async () => {
      const { sim, observer } = await strictSim();
      const host = await rawHost(sim.address);
      await act(host);
      await pause(150);
      expect(names(observer)).toEqual([name]);
      expect(observer.violations[0]!.section).toMatch(/^§/);
    }, 10_000);
  }

  it('a missing ACK is MISSING_ACK, once per message', async () => {
    const { sim, observer } = await strictSim();
    const host = await rawHost(sim.address, { ack: false });
    host.send(HELLO, 0);
    await pause(1200);
    expect(names(observer)).toEqual(['MISSING_ACK']);
    expect(observer.violations[0]!.detail).toContain('INFO');
  }, 10_000);

  it('a garbage flood (10,000 malformed frames) keeps the first violations and counts them all', async () => {
    const { sim, observer } = await strictSim();
    const host = await rawHost(sim.address);
    host.send(HELLO, 0);
    await pause(50);
    const garbage = craftedFrame({ seq: 1, type: MessageType.GET_STATUS, badCrc: true });
    host.raw(Buffer.concat(Array.from({ length: 10_000 }, () => garbage)));
    for (let waited = 0; observer.total < 10_000 && waited < 20_000; waited += 50) await pause(50);
    expect(observer.total).toBe(10_000);
    expect(observer.counts).toEqual({ MALFORMED_FRAME: 10_000 });
    expect(observer.violations).toHaveLength(100); // README: "the first 100"
    expect(formatUnkeptViolations(observer)).toBe(`… ${10_000 - MAX_KEPT_HOST_VIOLATIONS} more violations not shown (all, by name: MALFORMED_FRAME 10000)`);
  }, 30_000);

  it('tenkey sim --strict prints the violation on stderr and exits 8 when stopped', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/host-driver/fixtures/run-cli.ts', 'sim', '--strict', '--listen', 'tcp://127.0.0.1:0'], {
      cwd: new URL('../..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const address = await new Promise<string>((resolve) => child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString('utf8');
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!.trim());
    }));
    const host = await rawHost(address);
    host.send(HELLO, 0);
    await pause(100);
    host.raw(craftedFrame({ seq: 1, type: 0x7e }));
    await pause(300);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(8);
    expect(stderr).toMatch(/violation UNKNOWN_TYPE \(PROTOCOL\.md §3\.5 #10, §5\.1\): .*NAK UNKNOWN_TYPE/);
    expect(stderr).toContain('1 host violation of PROTOCOL.md');
  }, 30_000);
});
