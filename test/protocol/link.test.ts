/**
 * LinkEndpoint specification. Two endpoints talk back to back through real wire bytes
 * (encodeFrame → a scripted wire → FrameDecoder → receiveFrame/receiveDrop), in virtual time
 * driven by xstate's SimulatedClock.
 */
import fc from 'fast-check';
import { SimulatedClock } from 'xstate';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACK_TIMEOUT_MS, LINK_DEAD_AFTER_MS, PING_INTERVAL_MS,
  FrameDecoder, cobsDecode, cobsEncode, crc16CcittFalse, decodeFrame, encodeFrame,
  type Clock, type DeviceMessage, type Frame, type HostMessage, type Message, type ProtocolError,
} from '../../protocol/index.js';
import { protocolError } from '../../protocol/errors.js';
import { LinkEndpoint, type LinkEndpointOptions } from '../../protocol/link.js';

// ---------------------------------------------------------------------------------------------
// Test wire: FIFO with a fixed latency, scripted faults, and a log of every frame written to it.

type WireAction =
  | 'deliver'
  | 'drop'
  | 'duplicate'
  /** Flip the CRC: the receiver drops it as BAD_CRC (header not trusted, so no NAK). */
  | 'corrupt'
  /** Change the body and fix the CRC: reaches the checks after the CRC (NAK-able). */
  | { rewrite: (body: Buffer) => void };

interface WireEntry { at: number; frame: Frame; action: WireAction }

class Wire {
  fault: (frame: Frame, index: number) => WireAction = () => 'deliver';
  readonly log: WireEntry[] = [];
  readonly decoder = new FrameDecoder();
  private readonly inTransit: { dueAt: number; bytes: Buffer }[] = [];
  private timer: unknown;

  constructor(private readonly clock: SimulatedClock, private readonly latencyMs: number) {}

  connect(link: LinkEndpoint): void {
    this.decoder.on('data', (frame: Frame) => link.receiveFrame(frame));
    this.decoder.on('drop', (error: ProtocolError) => link.receiveDrop(error));
  }

  readonly write = (bytes: Buffer): void => {
    const decoded = decodeFrame(bytes);
    if (!decoded.ok) throw new Error(`link wrote an undecodable frame: ${decoded.error.message}`);
    const action = this.fault(decoded.frame, this.log.length);
    this.log.push({ at: this.clock.now(), frame: decoded.frame, action });
    if (action === 'drop') return;
    if (action === 'duplicate') this.enqueue(bytes);
    this.enqueue(action === 'deliver' || action === 'duplicate' ? bytes : mangle(bytes, action));
  };

  /** Puts raw bytes on the wire as if some other sender had written them. */
  inject(bytes: Buffer): void {
    this.enqueue(bytes);
  }

  /** Frames of these types written so far. */
  frames(...types: Message['type'][]): WireEntry[] {
    return this.log.filter((e) => types.includes(e.frame.message.type));
  }

  private enqueue(bytes: Buffer): void {
    this.inTransit.push({ dueAt: this.clock.now() + this.latencyMs, bytes: Buffer.from(bytes) });
    this.arm();
  }

  // One timer for the head of the queue keeps delivery FIFO (SimulatedClock does not order equal deadlines).
  private arm(): void {
    const head = this.inTransit[0];
    if (head === undefined || this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      while (this.inTransit[0] !== undefined && this.inTransit[0].dueAt <= this.clock.now()) {
        this.decoder.write(this.inTransit.shift()!.bytes);
      }
      this.arm();
    }, Math.max(0, head.dueAt - this.clock.now()));
  }
}

function mangle(bytes: Buffer, action: 'corrupt' | { rewrite: (body: Buffer) => void }): Buffer {
  const body = cobsDecode(bytes.subarray(0, bytes.length - 1));
  if (action === 'corrupt') {
    body[body.length - 1]! ^= 0xff;
  } else {
    action.rewrite(body);
    body.writeUInt16BE(crc16CcittFalse(body, 0, body.length - 2), body.length - 2);
  }
  return Buffer.concat([cobsEncode(body), Buffer.of(0)]);
}

// ---------------------------------------------------------------------------------------------
// Harness: a host and a device endpoint on two wires, plus promise and timer bookkeeping.

/** A Clock that remembers which of its timers are still armed (to prove close() leaves none). */
function trackingClock(clock: SimulatedClock): Clock & { armed: Set<unknown> } {
  const armed = new Set<unknown>();
  return {
    armed,
    now: () => clock.now(),
    setTimeout(fn, ms) {
      const handle: unknown = clock.setTimeout(() => { armed.delete(handle); fn(); }, ms);
      armed.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      armed.delete(handle);
      clock.clearTimeout(handle as number);
    },
  };
}

type PartialOptions = Partial<Omit<LinkEndpointOptions, 'role'>>;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function linkPair(options: { host?: PartialOptions; device?: PartialOptions; latencyMs?: number } = {}) {
  const sim = new SimulatedClock();
  const clock = trackingClock(sim);
  const latencyMs = options.latencyMs ?? 2;
  const toDevice = new Wire(sim, latencyMs);
  const toHost = new Wire(sim, latencyMs);
  // Keepalive and dead-peer detection are off unless a test is about them.
  const host = new LinkEndpoint({
    role: 'host', write: toDevice.write, clock, pingIntervalMs: false, deadAfterMs: false, ...options.host,
  });
  const device = new LinkEndpoint({ role: 'device', write: toHost.write, clock, ...options.device });
  toDevice.connect(device);
  toHost.connect(host);
  const received = { host: [] as Message[], device: [] as Message[] };
  host.on('message', (m) => received.host.push(m));
  device.on('message', (m) => received.device.push(m));
  cleanups.push(() => {
    host.close();
    device.close();
    toDevice.decoder.destroy();
    toHost.decoder.destroy();
  });
  /** Moves virtual time 1 ms at a time (SimulatedClock fires a big jump's timers all at its end), then lets promises settle. */
  async function advance(ms: number): Promise<void> {
    for (let i = 0; i < ms; i++) sim.increment(1);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const advanceTo = (time: number): Promise<void> => advance(time - sim.now());
  return { sim, clock, host, device, toDevice, toHost, received, advance, advanceTo };
}

interface Tracked<T> { state: 'pending' | 'fulfilled' | 'rejected'; value?: T; error?: ProtocolError }
function track<T>(promise: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { state: 'pending' };
  promise.then(
    (value) => { t.state = 'fulfilled'; t.value = value; },
    (error: ProtocolError) => { t.state = 'rejected'; t.error = error; },
  );
  return t;
}

const getInfo: HostMessage = { type: 'GET_INFO' };
const getStatus: HostMessage = { type: 'GET_STATUS' };
const cancel = (sessionId: number): HostMessage => ({ type: 'CANCEL', sessionId });
const key = (sessionId: number): DeviceMessage => ({
  type: 'KEY', sessionId, keyClass: 'DIGIT', field: 'PAN', digits: 1, notice: 'NONE',
});
const firstCopyOf = (type: Message['type']) => (f: Frame): WireAction =>
  f.message.type === type && !f.retransmission ? 'drop' : 'deliver';

// ---------------------------------------------------------------------------------------------

describe('LinkEndpoint delivery', () => {
  it('delivers each message exactly once, in order, and ACKs it with its seq and direction', async () => {
    const { host, device, toDevice, toHost, received, advance } = linkPair();
    const sends = [getInfo, cancel(7), getStatus].map((m) => track(host.send(m)));
    const replies = [key(1), key(2)].map((m) => track(device.send(m)));
    await advance(50);

    expect(sends.map((s) => s.state)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(replies.map((s) => s.state)).toEqual(['fulfilled', 'fulfilled']);
    expect(received.device).toEqual([getInfo, cancel(7), getStatus]);
    expect(received.host).toEqual([key(1), key(2)]);
    expect(toDevice.frames('GET_INFO', 'CANCEL', 'GET_STATUS').map((e) => e.frame.seq)).toEqual([0, 1, 2]);
    const deviceAcks = toHost.frames('ACK').map((e) => e.frame);
    expect(deviceAcks.map((f) => f.seq)).toEqual([0, 1, 2]);
    expect(deviceAcks.every((f) => f.fromDevice)).toBe(true);
    expect(toDevice.frames('ACK').map((e) => [e.frame.seq, e.frame.fromDevice])).toEqual([[0, false], [1, false]]);
  });

  it('emits the message with the frame it came in', async () => {
    const { host, device, advance } = linkPair();
    const seen: [Message, Frame][] = [];
    device.on('message', (m, f) => seen.push([m, f]));
    track(host.send(cancel(9)));
    await advance(10);
    expect(seen).toHaveLength(1);
    expect(seen[0]![1]).toMatchObject({ seq: 0, fromDevice: false, retransmission: false, message: cancel(9) });
  });

  it('retransmits the same seq with FLAG_RETRANSMISSION after 250 ms and succeeds when the first copy is lost', async () => {
    const { host, device, toDevice, received, advance } = linkPair();
    toDevice.fault = firstCopyOf('GET_INFO');
    const retransmits: [Frame, number][] = [];
    host.on('retransmit', (f, n) => retransmits.push([f, n]));
    const sent = track(host.send(getInfo));

    await advance(ACK_TIMEOUT_MS - 1);
    expect(toDevice.frames('GET_INFO')).toHaveLength(1);
    await advance(1);
    const copies = toDevice.frames('GET_INFO');
    expect(copies.map((e) => [e.at, e.frame.seq, e.frame.retransmission])).toEqual([[0, 0, false], [ACK_TIMEOUT_MS, 0, true]]);
    expect(retransmits.map(([f, n]) => [f.seq, f.retransmission, n])).toEqual([[0, true, 1]]);
    await advance(10);
    expect(sent.state).toBe('fulfilled');
    expect(received.device).toEqual([getInfo]);
    expect(device.stats.duplicates).toBe(0);
  });

  it('re-ACKs a retransmission whose ACK was lost, without delivering it again', async () => {
    const { host, device, toHost, received, advance } = linkPair();
    toHost.fault = (f, i) => (f.message.type === 'ACK' && i === 0 ? 'drop' : 'deliver');
    const duplicates: Frame[] = [];
    device.on('duplicate', (f) => duplicates.push(f));
    const sent = track(host.send(getInfo));
    await advance(ACK_TIMEOUT_MS + 10);

    expect(sent.state).toBe('fulfilled');
    expect(received.device).toEqual([getInfo]);
    expect(duplicates.map((f) => [f.seq, f.retransmission])).toEqual([[0, true]]);
    expect(toHost.frames('ACK').map((e) => e.frame.seq)).toEqual([0, 0]);
  });

  it('delivers a frame duplicated on the wire once', async () => {
    const { host, device, toDevice, received, advance } = linkPair();
    toDevice.fault = (f) => (f.message.type === 'CANCEL' ? 'duplicate' : 'deliver');
    track(host.send(cancel(1)));
    track(host.send(cancel(2)));
    await advance(50);
    expect(received.device).toEqual([cancel(1), cancel(2)]);
    expect(device.stats.duplicates).toBe(2);
  });

  it('keeps one frame in flight and the queue in order when copies are lost', async () => {
    const { host, toDevice, received, advance } = linkPair();
    toDevice.fault = (f) => (!f.retransmission && f.seq % 2 === 0 ? 'drop' : 'deliver');
    const sends = [1, 2, 3, 4, 5].map((n) => track(host.send(cancel(n))));
    await advance(2000);

    expect(sends.every((s) => s.state === 'fulfilled')).toBe(true);
    expect(received.device).toEqual([1, 2, 3, 4, 5].map(cancel));
    // Stop-and-wait: a new seq never goes out before the previous one's ACK came back.
    const seqs = toDevice.frames('CANCEL').map((e) => e.frame.seq);
    expect(seqs).toEqual([0, 0, 1, 2, 2, 3, 4, 4]);
  });

  it('wraps its seq from 255 to 0 and keeps delivering', async () => {
    const { host, toDevice, received, advance } = linkPair({ latencyMs: 1 });
    const count = 300;
    const sends = Array.from({ length: count }, (_, n) => track(host.send(cancel(n))));
    await advance(count * 2 + 10);

    expect(sends.every((s) => s.state === 'fulfilled')).toBe(true);
    expect(received.device).toEqual(Array.from({ length: count }, (_, n) => cancel(n)));
    const seqs = toDevice.frames('CANCEL').map((e) => e.frame.seq);
    expect(seqs.slice(254, 258)).toEqual([254, 255, 0, 1]);
  });
});

describe('LinkEndpoint failures', () => {
  it('rejects with NO_ACK after 1 + 3 attempts, exactly 4 × 250 ms after the first, then sends the next frame', async () => {
    const { host, toDevice, received, advance } = linkPair();
    toDevice.fault = (f) => (f.message.type === 'GET_INFO' ? 'drop' : 'deliver');
    const lost = track(host.send(getInfo));
    const next = track(host.send(getStatus));

    await advance(4 * ACK_TIMEOUT_MS - 1);
    expect(lost.state).toBe('pending');
    expect(toDevice.frames('GET_INFO').map((e) => [e.at, e.frame.retransmission])).toEqual([
      [0, false], [250, true], [500, true], [750, true],
    ]);
    expect(toDevice.frames('GET_STATUS')).toHaveLength(0);
    await advance(1);
    expect(lost.state).toBe('rejected');
    expect(lost.error).toMatchObject({ code: 'NO_ACK', details: { seq: 0, type: 'GET_INFO', attempts: 4 } });
    expect(toDevice.frames('GET_STATUS').map((e) => [e.at, e.frame.seq])).toEqual([[1000, 1]]);
    await advance(10);
    expect(next.state).toBe('fulfilled');
    expect(received.device).toEqual([getStatus]);
    expect(host.stats.noAck).toBe(1);
  });

  it('follows ackTimeoutMs and maxRetransmissions options', async () => {
    const { host, toDevice, advance } = linkPair({ host: { ackTimeoutMs: 100, maxRetransmissions: 1 } });
    toDevice.fault = () => 'drop';
    const lost = track(host.send(getInfo));
    await advance(199);
    expect(lost.state).toBe('pending');
    await advance(1);
    expect(lost.error).toMatchObject({ code: 'NO_ACK', details: { attempts: 2 } });
    expect(toDevice.log.map((e) => e.at)).toEqual([0, 100]);
  });

  it('treats a write() that throws as a lost frame', async () => {
    const sim = new SimulatedClock();
    let calls = 0;
    const written: Buffer[] = [];
    const link = new LinkEndpoint({
      role: 'host', clock: sim, pingIntervalMs: false, deadAfterMs: false,
      write: (bytes) => { if (calls++ === 0) throw new Error('EIO'); written.push(bytes); },
    });
    cleanups.push(() => link.close());
    const sent = track(link.send(getInfo));
    sim.increment(ACK_TIMEOUT_MS);
    expect(written).toHaveLength(1);
    expect(link.stats.writeErrors).toBe(1);
    link.receiveFrame({ version: 1, flags: 1, seq: 0, fromDevice: true, retransmission: false, message: { type: 'ACK' } });
    await Promise.resolve();
    expect(sent.state).toBe('fulfilled');
  });

  it.each([
    ['UNKNOWN_TYPE', (b: Buffer) => { b[3] = 0x7f; }, 'UNKNOWN_TYPE'],
    ['BAD_LENGTH', (b: Buffer) => { b.writeUInt16BE(b.readUInt16BE(4) + 1, 4); }, 'BAD_LENGTH'],
    ['BAD_PAYLOAD', (b: Buffer) => { b[6 + 6] = 9; /* START_ENTRY reveal 9 > 4 */ }, 'BAD_PAYLOAD'],
    ['BAD_FLAGS', (b: Buffer) => { b[1]! |= 0x80; }, 'BAD_PAYLOAD'],
    ['UNSUPPORTED_VERSION', (b: Buffer) => { b[0] = 2; }, 'UNSUPPORTED_VERSION'],
  ] as const)('a frame dropped as %s with its header intact is NAKed %s; the sender rejects NAK_RECEIVED', async (_code, rewrite, reason) => {
    const { host, device, toDevice, toHost, received, advance } = linkPair();
    toDevice.fault = (f) => (f.message.type === 'START_ENTRY' ? { rewrite } : 'deliver');
    const naks: Frame[] = [];
    host.on('nak', (f) => naks.push(f));
    const refused = track(host.send({
      type: 'START_ENTRY', sessionId: 5, inactivityTimeoutS: 0, reveal: 3, expiryRequired: true, acceptedBrands: [],
    }));
    const next = track(host.send(getStatus));
    await advance(20);

    expect(toHost.frames('NAK').map((e) => [e.frame.seq, e.frame.message, e.frame.fromDevice])).toEqual([
      [0, { type: 'NAK', reason }, true],
    ]);
    expect(refused.error).toMatchObject({ code: 'NAK_RECEIVED', details: { reason, seq: 0, type: 'START_ENTRY' } });
    expect(naks).toHaveLength(1);
    expect(next.state).toBe('fulfilled');
    expect(received.device).toEqual([getStatus]);
    expect(device.stats.naksSent).toBe(1);
  });

  it('does not NAK a frame whose CRC failed (the sender retransmits)', async () => {
    const { host, toDevice, toHost, received, advance } = linkPair();
    toDevice.fault = (f) => (f.retransmission ? 'deliver' : 'corrupt');
    const sent = track(host.send(getInfo));
    await advance(ACK_TIMEOUT_MS + 10);
    expect(toHost.frames('NAK')).toHaveLength(0);
    expect(sent.state).toBe('fulfilled');
    expect(received.device).toEqual([getInfo]);
  });

  it('receiveDrop ignores errors without an intact header, link frames and frames of its own direction', () => {
    const written: Buffer[] = [];
    const sim = new SimulatedClock();
    const device = new LinkEndpoint({ role: 'device', clock: sim, write: (b) => written.push(b) });
    cleanups.push(() => device.close());
    device.receiveDrop(protocolError('BAD_CRC', 'crc'));
    device.receiveDrop(protocolError('BAD_COBS', 'cobs'));
    device.receiveDrop(protocolError('BAD_PAYLOAD', 'bad NAK reason', { seq: 3, type: 0xf1, fromDevice: false }));
    device.receiveDrop(protocolError('BAD_PAYLOAD', 'echo', { seq: 3, type: 0x85, fromDevice: true }));
    expect(written).toHaveLength(0);
    device.receiveDrop(protocolError('BAD_PAYLOAD', 'bad', { seq: 3, type: 0x03, fromDevice: false }));
    expect(written.map((b) => decodeFrame(b))).toEqual([
      { ok: true, frame: expect.objectContaining({ seq: 3, fromDevice: true, message: { type: 'NAK', reason: 'BAD_PAYLOAD' } }) },
    ]);
  });

  it('NAKs a peer-direction frame whose type belongs to its own side with WRONG_DIRECTION and does not deliver it', async () => {
    const { device, toDevice, toHost, received, advance } = linkPair();
    toDevice.inject(encodeFrame(key(1), 7, { fromDevice: false })); // a device type with the host's direction bit
    await advance(10);
    expect(received.device).toEqual([]);
    expect(toHost.frames('NAK').map((e) => [e.frame.seq, e.frame.message])).toEqual([
      [7, { type: 'NAK', reason: 'WRONG_DIRECTION' }],
    ]);
    expect(device.stats.delivered).toBe(0);
  });

  it('ignores any frame carrying its own direction bit (an echo): counted as stray, never answered', async () => {
    const { device, toDevice, toHost, received, advance } = linkPair();
    const stray: Frame[] = [];
    device.on('stray', (f) => stray.push(f));
    toDevice.inject(encodeFrame(key(1), 5)); // the device's own KEY seq 5 looped back
    toDevice.inject(encodeFrame(getInfo, 8, { fromDevice: true })); // a host type with the device's bit: still ours
    await advance(10);
    expect(toHost.log).toEqual([]);
    expect(received.device).toEqual([]);
    expect(stray.map((f) => f.seq)).toEqual([5, 8]);
    expect(device.stats).toMatchObject({ stray: 2, naksSent: 0, delivered: 0 });
  });

  it('an echo of the device\'s frame does not refuse the host\'s frame with the same seq', async () => {
    const { host, device, toDevice, received, advance } = linkPair();
    for (let i = 0; i < 5; i++) track(host.send(getStatus)); // host seq 0..4
    await advance(20);
    toDevice.inject(encodeFrame(key(1), 5)); // echo of device seq 5 ...
    const start = track(host.send(cancel(1))); // ... just as the host's seq 5 goes out
    await advance(20);
    expect(start.state).toBe('fulfilled');
    expect(received.device.at(-1)).toEqual(cancel(1));
    expect(device.stats.naksSent).toBe(0);
  });

  it('refuses to send a message of the other direction, or ACK/NAK, with INVALID_MESSAGE and writes nothing', async () => {
    const { host, device, toDevice, toHost } = linkPair();
    await expect(host.send(key(1))).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    await expect(device.send(getInfo)).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    await expect(host.send({ type: 'ACK' } as unknown as HostMessage)).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    await expect(host.send({ type: 'CANCEL', sessionId: -1 })).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    expect(toDevice.log).toHaveLength(0);
    expect(toHost.log).toHaveLength(0);
    // A refused message does not use up a seq.
    track(host.send(getInfo));
    expect(toDevice.log[0]?.frame.seq).toBe(0);
  });

  it('ignores ACK/NAK that name no frame in flight, reporting them as stray', async () => {
    const { host, toHost, advance } = linkPair();
    toHost.fault = () => 'drop'; // the device's real ACKs never arrive
    const stray: Frame[] = [];
    host.on('stray', (f) => stray.push(f));
    const sent = track(host.send(getInfo)); // seq 0
    toHost.inject(encodeFrame({ type: 'ACK' }, 5, { fromDevice: true }));
    toHost.inject(encodeFrame({ type: 'NAK', reason: 'NOT_READY' }, 6, { fromDevice: true }));
    toHost.inject(encodeFrame({ type: 'ACK' }, 0, { fromDevice: false })); // our own ACK echoed back
    await advance(10);
    expect(stray.map((f) => f.seq)).toEqual([5, 6, 0]);
    expect(sent.state).toBe('pending');
    toHost.inject(encodeFrame({ type: 'ACK' }, 0, { fromDevice: true }));
    await advance(10);
    expect(sent.state).toBe('fulfilled');
  });
});

describe('LinkEndpoint peer sequence memory', () => {
  it('delivers a new HELLO even when it repeats the last seq (a new host), but not a retransmission of the HELLO just delivered', async () => {
    const { device, toDevice, received, advance } = linkPair();
    const hello = { type: 'HELLO', minVersion: 1, maxVersion: 1 } as const;
    toDevice.inject(encodeFrame(getInfo, 0));
    toDevice.inject(encodeFrame(hello, 0)); // a restarted host
    toDevice.inject(encodeFrame(hello, 0, { retransmission: true })); // its ACK was lost
    toDevice.inject(encodeFrame(hello, 0)); // host 1 died after HELLO; host 2's first HELLO, also seq 0
    toDevice.inject(encodeFrame(getInfo, 1));
    await advance(10);
    expect(received.device.map((m) => m.type)).toEqual(['GET_INFO', 'HELLO', 'HELLO', 'GET_INFO']);
    expect(device.stats.duplicates).toBe(1);
  });

  it('delivers a retransmitted HELLO whose first copy was lost, even after another message with its seq', async () => {
    const { device, toDevice, received, advance } = linkPair();
    toDevice.inject(encodeFrame(getInfo, 0));
    toDevice.inject(encodeFrame({ type: 'HELLO', minVersion: 1, maxVersion: 1 }, 0, { retransmission: true }));
    await advance(10);
    expect(received.device.map((m) => m.type)).toEqual(['GET_INFO', 'HELLO']);
    expect(device.stats.duplicates).toBe(0);
  });

  it('takes a restarted peer\'s first non-HELLO frame with the last seq for a duplicate (why HELLO comes first)', async () => {
    const { toDevice, received, advance } = linkPair();
    toDevice.inject(encodeFrame(getInfo, 0));
    toDevice.inject(encodeFrame(getStatus, 0));
    await advance(10);
    expect(received.device).toEqual([getInfo]);
  });

  it('keeps the peer seq across reset(): the retransmission of the HELLO that caused it is not delivered again', async () => {
    const { device, toDevice, toHost, received, advance } = linkPair();
    const hello = { type: 'HELLO', minVersion: 1, maxVersion: 1 } as const;
    device.on('message', (m) => { if (m.type === 'HELLO') device.reset(); }); // what the keypad does on HELLO
    toDevice.inject(encodeFrame(hello, 0));
    toDevice.inject(encodeFrame(hello, 0, { retransmission: true }));
    await advance(10);
    expect(received.device).toEqual([hello]);
    expect(toHost.frames('ACK').map((e) => e.frame.seq)).toEqual([0, 0]);
  });
});

describe('LinkEndpoint reset and close', () => {
  it('reset() rejects the frame in flight and the queued ones with LINK_CLOSED, then works again', async () => {
    const { host, toDevice, received, advance } = linkPair();
    toDevice.fault = (f) => (f.seq < 2 ? 'drop' : 'deliver');
    const inFlight = track(host.send(getInfo));
    const queued = track(host.send(getStatus));
    await advance(100);
    host.reset();
    await advance(0);
    expect(inFlight.error).toMatchObject({ code: 'LINK_CLOSED', details: { seq: 0, type: 'GET_INFO' } });
    expect(queued.error).toMatchObject({ code: 'LINK_CLOSED', details: { seq: 1, type: 'GET_STATUS' } });
    // The old frame's retransmission timer is gone with it.
    await advance(ACK_TIMEOUT_MS);
    expect(toDevice.frames('GET_INFO')).toHaveLength(1);

    const after = track(host.send(cancel(3)));
    await advance(10);
    expect(after.state).toBe('fulfilled');
    expect(received.device).toEqual([cancel(3)]);
  });

  it('close() rejects everything pending with LINK_CLOSED, leaves no timer armed and refuses later sends', async () => {
    const { clock, host, device, toDevice, advance } = linkPair({ host: { pingIntervalMs: 1000, deadAfterMs: 3000 } });
    toDevice.fault = () => 'drop';
    const inFlight = track(host.send(getInfo));
    const queued = track(host.send(getStatus));
    const ping = track(host.ping());
    await advance(10);
    host.close();
    device.close();
    await advance(0);
    for (const t of [inFlight, queued, ping]) expect(t.error).toMatchObject({ code: 'LINK_CLOSED' });
    expect(clock.armed.size).toBe(0);
    await expect(host.send(getInfo)).rejects.toMatchObject({ code: 'LINK_CLOSED' });
    await expect(host.ping()).rejects.toMatchObject({ code: 'LINK_CLOSED' });
    const written = toDevice.log.length;
    host.receiveFrame({ version: 1, flags: 1, seq: 0, fromDevice: true, retransmission: false, message: key(1) });
    await advance(5000);
    expect(toDevice.log).toHaveLength(written);
  });
});

describe('LinkEndpoint keepalive, ping and dead peer', () => {
  it('device answers PING with PONG itself; ping() resolves with the round trip in clock ms', async () => {
    const { host, toHost, received, advance } = linkPair({ latencyMs: 7 });
    const rtt = track(host.ping());
    await advance(20);
    expect(rtt.value).toBe(14);
    expect(toHost.frames('ACK', 'PONG').map((e) => e.frame.message.type)).toEqual(['ACK', 'PONG']);
    expect(received).toEqual({ host: [], device: [] }); // PING and PONG are the link's own business
  });

  it('ping() counts a lost PING\'s retransmission in the round trip', async () => {
    const { host, toDevice, advance } = linkPair();
    toDevice.fault = firstCopyOf('PING');
    const rtt = track(host.ping());
    await advance(300);
    expect(rtt.value).toBe(ACK_TIMEOUT_MS + 4);
  });

  it('ping() fails with the send\'s error, or NO_ACK when the PONG never comes', async () => {
    const { host, toDevice, toHost, advance } = linkPair();
    toDevice.fault = () => 'drop';
    const unanswered = track(host.ping());
    await advance(1000);
    expect(unanswered.error).toMatchObject({ code: 'NO_ACK', details: { type: 'PING' } });

    toDevice.fault = () => 'deliver';
    toHost.fault = (f) => (f.message.type === 'PONG' ? 'drop' : 'deliver');
    const noPong = track(host.ping());
    await advance(1999);
    expect(noPong.state).toBe('pending');
    await advance(1);
    expect(noPong.error).toMatchObject({ code: 'NO_ACK', details: { nonce: 2 } });
  });

  it('ping() is for the host only', async () => {
    const { device } = linkPair();
    await expect(device.ping()).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
  });

  it('host sends a PING after each idle pingIntervalMs, counted from its last message', async () => {
    const { host, toDevice, advance } = linkPair({ host: { pingIntervalMs: PING_INTERVAL_MS, deadAfterMs: LINK_DEAD_AFTER_MS } });
    const dead: ProtocolError[] = [];
    host.on('dead', (e) => dead.push(e));
    await advance(2500);
    track(host.send(getStatus)); // at 2500: the next PING waits until 3500
    await advance(7500);
    const pings = toDevice.frames('PING');
    expect(pings.map((e) => e.at)).toEqual([1000, 2000, 3500, 4500, 5500, 6500, 7500, 8500, 9500]);
    expect(pings.map((e) => (e.frame.message as { nonce: number }).nonce)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(dead).toEqual([]);
  });

  it('emits dead once, exactly deadAfterMs after the last valid frame, and again only after hearing the peer', async () => {
    const { host, toHost, advance, advanceTo } = linkPair({ host: { pingIntervalMs: PING_INTERVAL_MS, deadAfterMs: LINK_DEAD_AFTER_MS } });
    const dead: [number, ProtocolError][] = [];
    host.on('dead', (e) => dead.push([host.lastHeardAt, e]));
    await advance(1500); // PING at 1000 answered: last heard at 1004 (PONG)
    expect(host.lastHeardAt).toBe(1004);
    toHost.fault = () => 'drop'; // the device goes silent
    await advanceTo(1004 + LINK_DEAD_AFTER_MS - 1);
    expect(dead).toEqual([]);
    await advance(1);
    expect(dead).toHaveLength(1);
    expect(dead[0]![1]).toMatchObject({ code: 'LINK_DEAD', details: { lastHeardAt: 1004 } });
    await advance(10_000);
    expect(dead).toHaveLength(1);

    toHost.fault = () => 'deliver'; // back: the next keepalive is heard, and silence is measured afresh
    await advance(1000);
    const heardAgain = host.lastHeardAt;
    expect(heardAgain).toBeGreaterThan(14_000);
    toHost.fault = () => 'drop';
    await advanceTo(heardAgain + LINK_DEAD_AFTER_MS - 1);
    expect(dead).toHaveLength(1);
    await advance(1);
    expect(dead).toHaveLength(2);
  });

  it('device neither pings nor declares the host dead by default', async () => {
    const { device, toHost, advance } = linkPair();
    const dead: ProtocolError[] = [];
    device.on('dead', (e) => dead.push(e));
    await advance(10_000);
    expect(toHost.log).toEqual([]);
    expect(dead).toEqual([]);
  });
});

describe('LinkEndpoint options', () => {
  const write = (): void => {};
  it.each([
    ['no role', { write }],
    ['a bad role', { role: 'printer', write }],
    ['no write', { role: 'host' }],
    ['a zero ackTimeoutMs', { role: 'host', write, ackTimeoutMs: 0 }],
    ['a fractional maxRetransmissions', { role: 'host', write, maxRetransmissions: 1.5 }],
    ['a negative deadAfterMs', { role: 'host', write, deadAfterMs: -1 }],
    ['a pingIntervalMs past what a Node timer can wait', { role: 'host', write, pingIntervalMs: 2 ** 31 }],
    ['a device that pings', { role: 'device', write, pingIntervalMs: 1000 }],
    ['a clock without setTimeout', { role: 'host', write, clock: { now: () => 0 } }],
  ])('throws TypeError for %s', (_what, options) => {
    expect(() => new LinkEndpoint(options as unknown as LinkEndpointOptions)).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------

describe('LinkEndpoint property', () => {
  const arbAction = fc.constantFrom<WireAction>('deliver', 'deliver', 'deliver', 'drop', 'drop', 'duplicate', 'corrupt');
  /** Losses the run may suffer in total; fewer than the attempts each frame gets, so every send must succeed. */
  const lossBudget = 10;

  it('delivers every message exactly once and in order, both ways, under any bounded loss and duplication', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 12 }),
        fc.array(arbAction, { maxLength: 60 }),
        fc.array(arbAction, { maxLength: 60 }),
        fc.integer({ min: 1, max: 200 }),
        async (hostCount, deviceCount, toDevicePattern, toHostPattern, latencyMs) => {
          const pair = linkPair({ latencyMs, host: { maxRetransmissions: lossBudget }, device: { maxRetransmissions: lossBudget } });
          let losses = 0;
          const scripted = (pattern: WireAction[]) => (_f: Frame, i: number): WireAction => {
            const action = pattern[i] ?? 'deliver';
            if (action !== 'drop' && action !== 'corrupt') return action;
            return ++losses <= lossBudget ? action : 'deliver';
          };
          pair.toDevice.fault = scripted(toDevicePattern);
          pair.toHost.fault = scripted(toHostPattern);
          const hostMessages = Array.from({ length: hostCount }, (_, n) => cancel(n));
          const deviceMessages = Array.from({ length: deviceCount }, (_, n) => key(n));
          const sends = [
            ...hostMessages.map((m) => track(pair.host.send(m))),
            ...deviceMessages.map((m) => track(pair.device.send(m))),
          ];
          for (let t = 0; t < 60_000 && sends.some((s) => s.state === 'pending'); t += 100) await pair.advance(100);
          await pair.advance(2 * latencyMs); // let the last ACKs and duplicates land

          expect(sends.filter((s) => s.state !== 'fulfilled').map((s) => s.error?.code)).toEqual([]);
          expect(pair.received.device).toEqual(hostMessages);
          expect(pair.received.host).toEqual(deviceMessages);
          for (const cleanup of cleanups.splice(0)) cleanup();
        },
      ),
      { numRuns: 100 },
    );
  });
});
