/**
 * The host side of `tenkey conform`: a byte transport to the keypad under test, the protocol's FrameDecoder, and
 * a record of every frame the keypad sent with the time it arrived. Unlike the driver's LinkEndpoint it does not
 * hide the link: checks choose each seq, may withhold ACKs, and see duplicates, retransmissions and NAKs.
 * It ACKs device messages itself (unless a check turns that off) and PINGs when it has said nothing for
 * PING_INTERVAL_MS, as PROTOCOL.md §6.2 and §6.4 ask of a host. A hostile keypad costs bounded memory: the
 * probe writes within the link's write budget (a keypad that does not read fails the run, PEER_NOT_READING) and
 * keeps at most MAX_KEPT_PER_CHECK frames and drops per check (past that the check fails: the keypad floods).
 */
import { EventEmitter } from 'node:events';
import type { ByteTransport } from '../host-driver/transport/byte-transport.js';
import {
  encodeFrame, FrameDecoder, PING_INTERVAL_MS, type Frame, type HostMessage, type ProtocolErrorCodeName,
} from '../protocol/index.js';
import { writeWithinBudget } from '../protocol/write-budget.js';

/** A frame from the keypad and when it arrived (ms, performance clock). */
export interface HeardFrame {
  at: number;
  frame: Frame;
}

/** Something the keypad wrote that the decoder refused (it should never send such a thing). */
export interface KeypadDrop {
  at: number;
  code: ProtocolErrorCodeName;
}

const now = (): number => performance.now();

/** Frames (and, apart, drops) one check keeps; the longest check, an entry typed key by key, hears a few dozen. */
export const MAX_KEPT_PER_CHECK = 1000;

export class ConformProbe extends EventEmitter<{ heard: [HeardFrame]; failed: [string] }> {
  /** What the keypad sent since the current check began (at most MAX_KEPT_PER_CHECK). */
  readonly heard: HeardFrame[] = [];
  readonly drops: KeypadDrop[] = [];
  /** Marks count every frame heard since the probe opened: frames of earlier checks sit before `heard[0]`. */
  #heardBefore = 0;
  /** Why the current check cannot pass (the keypad floods), or the whole run (it does not read). */
  #checkFailure: string | undefined;
  #runFailure: string | undefined;
  /** ACK every device message as it arrives (§6.2); checks of retransmission turn it off, or pick the frames to ACK. */
  autoAck: boolean | ((frame: Frame) => boolean) = true;
  #nextSeq = 0;
  #lastSentAt = now();
  /** Seqs of the keepalive PINGs and their nonces: their ACKs and PONGs are not answers to a check. */
  readonly #keepaliveSeqs = new Set<number>();
  readonly #keepaliveNonces = new Set<number>();
  #nonce = 0x7e570000;
  readonly #decoder = new FrameDecoder();
  readonly #keepalive: ReturnType<typeof setInterval>;
  #closed = false;

  constructor(private readonly transport: ByteTransport) {
    super();
    transport.on('data', (bytes) => this.#decoder.write(bytes));
    this.#decoder.on('data', (frame: Frame) => this.#receive(frame));
    this.#decoder.on('drop', (error: { code: ProtocolErrorCodeName }) => this.#drop(error.code));
    this.#decoder.on('error', () => {});
    this.#keepalive = setInterval(() => this.#maybePing(), PING_INTERVAL_MS / 4);
    this.#keepalive.unref();
  }

  get description(): string {
    return this.transport.description;
  }

  /** Why the check running now has failed whatever it finds (the keypad floods or does not read); else undefined. */
  get failure(): string | undefined {
    return this.#runFailure ?? this.#checkFailure;
  }

  /** Why no further check can run (the keypad does not read what the host sends); else undefined. */
  get runFailure(): string | undefined {
    return this.#runFailure;
  }

  /** A new check: forgets what earlier ones heard (marks taken before stay valid) and any flood. */
  beginCheck(): void {
    this.#heardBefore += this.heard.length;
    this.heard.length = 0;
    this.drops.length = 0;
    this.#checkFailure = undefined;
  }

  /** Index of the next frame to be heard: pass it to since()/waitFor() to look only at what comes after. */
  mark(): number {
    return this.#heardBefore + this.heard.length;
  }

  /** Takes the next seq of the host's counter (§6.1). */
  takeSeq(): number {
    const seq = this.#nextSeq;
    this.#nextSeq = (seq + 1) & 0xff;
    // A seq comes round again every 256 messages: a keepalive's old claim on it ends.
    this.#keepaliveSeqs.delete(seq);
    return seq;
  }

  /** Sends a new message with the next seq; returns the seq. */
  send(message: HostMessage): number {
    const seq = this.takeSeq();
    this.writeFrame(message, seq);
    return seq;
  }

  /** Sends `message` with a seq the check chose (a retransmission or a duplicate). */
  writeFrame(message: HostMessage, seq: number, options: { retransmission?: boolean } = {}): void {
    this.writeRaw(encodeFrame(message, seq, { retransmission: options.retransmission === true }));
  }

  /** Bytes straight onto the line (crafted frames, garbage). Counts as the host speaking for keepalive. */
  writeRaw(bytes: Buffer): void {
    this.#lastSentAt = now();
    this.#write(bytes);
  }

  /** Frames heard since `mark`, without the keepalive's own ACKs and PONGs. */
  since(mark: number): HeardFrame[] {
    return this.heard.slice(Math.max(0, mark - this.#heardBefore)).filter((h) => !this.#isKeepalive(h.frame));
  }

  /** The first frame since `mark` that `match` accepts, waiting up to `timeoutMs`; undefined when none came. */
  waitFor(mark: number, match: (frame: Frame) => boolean, timeoutMs: number): Promise<HeardFrame | undefined> {
    const found = this.since(mark).find((h) => match(h.frame));
    if (found !== undefined || this.#closed || this.failure !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => {
      const onHeard = (h: HeardFrame): void => {
        if (this.#isKeepalive(h.frame) || !match(h.frame)) return;
        finish(h);
      };
      const onFailed = (): void => finish(undefined);
      const finish = (h: HeardFrame | undefined): void => {
        clearTimeout(timer);
        this.off('heard', onHeard);
        this.off('failed', onFailed);
        resolve(h);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      this.on('heard', onHeard);
      this.on('failed', onFailed);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    this.#decoder.destroy();
    await this.transport.close();
  }

  #receive(frame: Frame): void {
    if (this.failure !== undefined) return; // the check (or run) is lost already: keep and answer nothing more
    if (this.heard.length >= MAX_KEPT_PER_CHECK) {
      this.#failCheck(`the keypad floods: more than ${MAX_KEPT_PER_CHECK} frames during one check`);
      return;
    }
    const heard = { at: now(), frame };
    this.heard.push(heard);
    const { message } = frame;
    const ack = typeof this.autoAck === 'function' ? this.autoAck(frame) : this.autoAck;
    if (ack && frame.fromDevice && message.type !== 'ACK' && message.type !== 'NAK') {
      this.#write(encodeFrame({ type: 'ACK' }, frame.seq, { fromDevice: false }));
    }
    this.emit('heard', heard);
  }

  #drop(code: ProtocolErrorCodeName): void {
    if (this.failure !== undefined) return;
    if (this.drops.length >= MAX_KEPT_PER_CHECK) {
      this.#failCheck(`the keypad floods: more than ${MAX_KEPT_PER_CHECK} undecodable frames during one check`);
      return;
    }
    this.drops.push({ at: now(), code });
  }

  /** Every write of the probe: within the budget, as the driver writes; a keypad that does not read ends the run. */
  #write(bytes: Buffer): void {
    if (this.#runFailure !== undefined || this.#closed) return;
    const refused = writeWithinBudget(this.transport, bytes);
    if (refused === undefined) return;
    this.#runFailure = `the keypad does not read what the host sends (${refused.code}): ${refused.message}`;
    this.emit('failed', this.#runFailure);
  }

  #failCheck(why: string): void {
    this.#checkFailure = why;
    this.emit('failed', why);
  }

  #isKeepalive(frame: Frame): boolean {
    const { message } = frame;
    if (message.type === 'PONG') return this.#keepaliveNonces.has(message.nonce);
    return (message.type === 'ACK' || message.type === 'NAK') && this.#keepaliveSeqs.has(frame.seq);
  }

  #maybePing(): void {
    if (this.#closed || now() - this.#lastSentAt < PING_INTERVAL_MS * 0.8) return;
    const nonce = (this.#nonce = (this.#nonce + 1) >>> 0);
    this.#keepaliveNonces.add(nonce);
    const seq = this.takeSeq();
    this.#keepaliveSeqs.add(seq);
    this.writeFrame({ type: 'PING', nonce }, seq);
  }
}
