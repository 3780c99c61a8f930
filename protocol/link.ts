/**
 * Link layer (PROTOCOL.md §6): stop-and-wait delivery with ACK/NAK, retransmission, duplicate
 * suppression, and (host side) keepalive PING and dead-peer detection. Bytes in and out only:
 * the caller feeds decoded frames and drops from a FrameDecoder and supplies write().
 * Hand-written because no maintained library implements this particular ACK/NAK scheme.
 */
import { EventEmitter } from 'node:events';
import { FLAG_FROM_DEVICE, FLAG_RETRANSMISSION, PROTOCOL_VERSION } from './constants.js';
import { protocolError, type ProtocolError } from './errors.js';
import { encodeFrame } from './frame.js';
import type { Frame } from './frame-types.js';
import { nakForDrop } from './link-drops.js';
import { emptyLinkStats, type LinkEndpointEvents, type LinkStats } from './link-events.js';
import { resolveLinkOptions, type LinkEndpointOptions, type ResolvedLinkOptions } from './link-options.js';
import { PendingPings } from './link-pings.js';
import { answerWaitMs } from './link-timing.js';
import {
  isDeviceMessage, isHostMessage,
  type DeviceMessage, type HostMessage, type Message, type MessageTypeName, type NakReasonName,
} from './messages.js';

export type { LinkEndpointOptions, LinkRole } from './link-options.js';
export type { LinkEndpointEvents, LinkStats } from './link-events.js';

/** A send waiting in the queue; its seq is fixed when send() is called, so queue order is seq order. */
interface QueuedSend {
  message: HostMessage | DeviceMessage;
  seq: number;
  bytes: Buffer;
  resolve: () => void;
  reject: (error: ProtocolError) => void;
}

/** The one frame on the wire awaiting its ACK. */
interface InFlight extends QueuedSend {
  retransmissions: number;
  timer: unknown;
}

const ignore = (): void => {};

export class LinkEndpoint extends EventEmitter<LinkEndpointEvents> {
  readonly role: 'host' | 'device';
  readonly stats: LinkStats = emptyLinkStats();
  private readonly options: ResolvedLinkOptions;
  private readonly peerIsDevice: boolean;
  private closed = false;
  /** Bumped by reset() and close(): a frame being handled when it changes belongs to the conversation that ended. */
  private generation = 0;
  private nextSeq = 0;
  private readonly queue: QueuedSend[] = [];
  private inFlight: InFlight | undefined;
  /** Seq and type of the last message delivered from the peer (duplicate detection). */
  private lastDelivered: { seq: number; type: MessageTypeName } | undefined;
  private readonly pings: PendingPings;
  private heardAt: number;
  private deadTimer: unknown;
  private keepaliveTimer: unknown;

  constructor(options: LinkEndpointOptions) {
    super();
    this.options = resolveLinkOptions(options);
    this.role = this.options.role;
    this.peerIsDevice = this.role === 'host';
    const { clock } = this.options;
    // Time for the PING to be acknowledged plus as long again for the PONG's own attempts.
    this.pings = new PendingPings(clock, 2 * answerWaitMs(this.options));
    this.heardAt = clock.now();
    this.armDeadTimer();
    this.armKeepalive();
  }

  /** Clock time of the last valid frame from the peer (or of construction/reset). */
  get lastHeardAt(): number {
    return this.heardAt;
  }

  /** Whether close() was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Feed every frame a FrameDecoder produces. A new message is ACKed, then delivered, unless writing that ACK made the
   * owner close or reset the link (it dropped the peer): then it is not acted on, and a repeat of it is only re-ACKed.
   */
  receiveFrame(frame: Frame): void {
    if (this.closed) return;
    this.stats.framesReceived++;
    const fromPeer = frame.fromDevice === this.peerIsDevice;
    if (fromPeer) this.heard();
    this.emit('received', frame);
    const { message } = frame;
    if (message.type === 'ACK' || message.type === 'NAK') {
      this.receiveAckOrNak(frame, fromPeer);
      return;
    }
    if (!fromPeer) {
      // Our own direction bit: an echo of one of our frames (a looped-back line). Answering it would NAK the
      // peer's frame that happens to carry the same seq (PROTOCOL.md §3.4), so it is only counted.
      this.stats.stray++;
      this.emit('stray', frame);
      return;
    }
    if (!this.isInbound(message)) {
      // The peer's direction bit on a type only our side may send: the peer is confused, tell it (§3.4).
      this.sendNak(frame.seq, 'WRONG_DIRECTION');
      return;
    }
    if (this.isDuplicate(frame)) {
      this.stats.duplicates++;
      if (this.acknowledgedInSameConversation(frame.seq)) this.emit('duplicate', frame);
      return;
    }
    this.lastDelivered = { seq: frame.seq, type: message.type };
    if (!this.acknowledgedInSameConversation(frame.seq)) return;
    this.stats.delivered++;
    if (message.type === 'PING' && this.role === 'device') {
      // PONG goes through the reliable queue; its failure is the host's to notice (its ping() times out).
      if (!this.supersedeQueuedPong(message.nonce)) this.send({ type: 'PONG', nonce: message.nonce }).catch(ignore);
    } else if (message.type === 'PONG' && this.role === 'host') {
      this.pings.answer(message.nonce);
    } else {
      this.emit('message', message, frame);
    }
  }

  /** Feed every FrameDecoder 'drop' error: frames whose header was intact are NAKed, the rest left to retransmission. */
  receiveDrop(error: ProtocolError): void {
    if (this.closed) return;
    const nak = nakForDrop(error, this.peerIsDevice);
    if (nak !== undefined) this.sendNak(nak.seq, nak.reason);
  }

  /**
   * Sends one message reliably. Resolves on its ACK; rejects with ProtocolError NAK_RECEIVED, NO_ACK,
   * LINK_CLOSED, QUEUE_FULL (maxQueuedSends already waiting; also emitted as 'overflow'), or INVALID_MESSAGE
   * (a message this role cannot send, or one the encoder refuses).
   */
  send(message: HostMessage | DeviceMessage): Promise<void> {
    if (this.closed) return Promise.reject(protocolError('LINK_CLOSED', 'link is closed'));
    const type = (message as Message | undefined)?.type;
    if (message === null || typeof message !== 'object' || !this.isOutbound(message)) {
      return Promise.reject(protocolError('INVALID_MESSAGE', `the ${this.role} cannot send ${String(type)}`, { type: String(type) }));
    }
    if (this.queue.length >= this.options.maxQueuedSends) return Promise.reject(this.overflow(message.type));
    let bytes: Buffer;
    try {
      bytes = encodeFrame(message, this.nextSeq);
    } catch (e) {
      return Promise.reject(e);
    }
    const seq = this.nextSeq;
    this.nextSeq = (seq + 1) & 0xff;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, seq, bytes, resolve, reject });
      this.transmitNext();
    });
  }

  /** Host only: PING with a fresh nonce; resolves with the round trip in clock milliseconds when its PONG arrives. */
  ping(): Promise<number> {
    if (this.closed) return Promise.reject(protocolError('LINK_CLOSED', 'link is closed'));
    if (this.role !== 'host') return Promise.reject(protocolError('INVALID_MESSAGE', 'only the host sends PING'));
    const { nonce, roundTrip } = this.pings.start();
    this.send({ type: 'PING', nonce }).catch((error: ProtocolError) => this.pings.fail(nonce, error));
    return roundTrip;
  }

  /**
   * A new conversation on the same endpoint (a new host said HELLO): fail everything pending with LINK_CLOSED.
   * Duplicate detection is kept, so a retransmission of the HELLO that started the new conversation is still
   * recognised (ACKed again, not delivered twice); a new peer's first HELLO is never taken for a repeat (§6.3).
   */
  reset(): void {
    if (this.closed) return;
    this.generation++;
    this.abortAll('link reset');
    this.heard();
    this.armKeepalive();
  }

  /** Stops every timer and fails everything pending with LINK_CLOSED; later sends reject at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    this.options.clock.clearTimeout(this.deadTimer);
    this.options.clock.clearTimeout(this.keepaliveTimer);
    this.abortAll('link closed');
  }

  /** The queue is full: the error for the refused send, also told to the owner (who drops the peer). */
  private overflow(type: MessageTypeName): ProtocolError {
    const { maxQueuedSends } = this.options;
    const error = protocolError('QUEUE_FULL', `${maxQueuedSends} messages already wait for the ${this.peerIsDevice ? 'device' : 'host'} to acknowledge; ${type} refused`, {
      type, limit: maxQueuedSends,
    });
    this.emit('overflow', error);
    return error;
  }

  private isInbound(message: HostMessage | DeviceMessage): boolean {
    return this.peerIsDevice ? isDeviceMessage(message) : isHostMessage(message);
  }

  private isOutbound(message: Message): message is HostMessage | DeviceMessage {
    return this.peerIsDevice ? isHostMessage(message) : isDeviceMessage(message);
  }

  /**
   * Same seq as the last delivered message (PROTOCOL.md §6.3). A HELLO starts a new conversation, possibly with a
   * new peer whose counter also starts at 0: it is a repeat only when flagged RETRANSMISSION and the message just
   * delivered was a HELLO with the same seq.
   */
  private isDuplicate(frame: Frame): boolean {
    const last = this.lastDelivered;
    if (last === undefined || last.seq !== frame.seq) return false;
    if (frame.message.type !== 'HELLO') return true;
    return frame.retransmission && last.type === 'HELLO';
  }

  /**
   * Replaces the newest queued message (not yet on the wire) with `message` when `replaces` accepts it; the
   * replacement keeps that message's seq, its place and its sender's promise. False when nothing was replaced
   * (then the caller sends `message` as usual). For progress that only the latest value of matters (the device's
   * DIGIT KEYs, PROTOCOL.md §5.11): a slow line then carries the newest count instead of a backlog of stale ones.
   */
  replaceNewestQueued(message: HostMessage | DeviceMessage, replaces: (queued: HostMessage | DeviceMessage) => boolean): boolean {
    const queued = this.queue.at(-1);
    if (this.closed || queued === undefined || !replaces(queued.message) || !this.isOutbound(message)) return false;
    return this.replaceQueued(queued, message);
  }

  /**
   * A PONG still waiting in the queue (not yet on the wire) answers this newer PING instead: on a line where a
   * message takes longer than the host's PING interval, a PONG per PING would pile up without bound ahead of
   * the entry's own frames (found by the fault soak). The host only waits for the newest; older pings time out.
   */
  private supersedeQueuedPong(nonce: number): boolean {
    const queued = this.queue.find((q) => q.message.type === 'PONG');
    return queued !== undefined && this.replaceQueued(queued, { type: 'PONG', nonce });
  }

  private replaceQueued(queued: QueuedSend, message: HostMessage | DeviceMessage): boolean {
    let bytes: Buffer;
    try {
      bytes = encodeFrame(message, queued.seq);
    } catch {
      return false; // a message the encoder refuses replaces nothing; send() reports it to the caller
    }
    queued.message = message;
    queued.bytes = bytes;
    this.stats.replaced++;
    return true;
  }

  private receiveAckOrNak(frame: Frame, fromPeer: boolean): void {
    const { message } = frame;
    if (message.type === 'NAK') {
      this.stats.naksReceived++;
      this.emit('nak', frame);
    }
    const pending = this.inFlight;
    if (!fromPeer || pending === undefined || pending.seq !== frame.seq) {
      this.stats.stray++;
      this.emit('stray', frame);
      return;
    }
    this.settleInFlight(pending);
    if (message.type === 'NAK') {
      pending.reject(protocolError('NAK_RECEIVED', `peer refused ${pending.message.type} (seq ${pending.seq}): ${message.reason}`, {
        reason: message.reason, seq: pending.seq, type: pending.message.type,
      }));
    } else {
      pending.resolve();
    }
    this.transmitNext();
  }

  private transmitNext(): void {
    if (this.inFlight !== undefined || this.closed) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    // Fields named, not spread: V8 (Node 20) builds a spread plus new fields on a slow path, ~4 µs, once per frame.
    const { message, seq, bytes, resolve, reject } = next;
    const inFlight: InFlight = { message, seq, bytes, resolve, reject, retransmissions: 0, timer: undefined };
    this.inFlight = inFlight;
    // Timer before write: a synchronous loopback may ACK inside write().
    inFlight.timer = this.options.clock.setTimeout(() => this.onAckTimeout(inFlight), this.options.ackTimeoutMs);
    this.armKeepalive();
    this.write(this.frameOf(next.message, next.seq, false), next.bytes);
  }

  private onAckTimeout(inFlight: InFlight): void {
    if (this.inFlight !== inFlight) return;
    const { clock, ackTimeoutMs, maxRetransmissions } = this.options;
    if (inFlight.retransmissions >= maxRetransmissions) {
      this.settleInFlight(inFlight);
      this.stats.noAck++;
      const attempts = inFlight.retransmissions + 1;
      inFlight.reject(protocolError('NO_ACK', `no ACK for ${inFlight.message.type} (seq ${inFlight.seq}) after ${attempts} attempts`, {
        seq: inFlight.seq, type: inFlight.message.type, attempts,
      }));
      this.transmitNext();
      return;
    }
    inFlight.retransmissions++;
    this.stats.retransmissions++;
    inFlight.timer = clock.setTimeout(() => this.onAckTimeout(inFlight), ackTimeoutMs);
    const frame = this.frameOf(inFlight.message, inFlight.seq, true);
    this.write(frame, encodeFrame(inFlight.message, inFlight.seq, { retransmission: true }));
    this.emit('retransmit', frame, inFlight.retransmissions);
  }

  private settleInFlight(inFlight: InFlight): void {
    this.options.clock.clearTimeout(inFlight.timer);
    this.inFlight = undefined;
  }

  private abortAll(why: string): void {
    const sends = this.inFlight === undefined ? [...this.queue] : [this.inFlight, ...this.queue];
    if (this.inFlight !== undefined) this.settleInFlight(this.inFlight);
    this.queue.length = 0;
    for (const send of sends) {
      send.reject(protocolError('LINK_CLOSED', `${why} before ${send.message.type} (seq ${send.seq}) was acknowledged`, {
        seq: send.seq, type: send.message.type,
      }));
    }
    this.pings.failAll(() => protocolError('LINK_CLOSED', `${why} before PONG arrived`));
  }

  /**
   * ACKs `seq`; false when writing the ACK made the owner close or reset this link (its write hit the unwritten-byte
   * budget and the peer was dropped): the frame then belongs to the dropped peer and must not be acted on.
   */
  private acknowledgedInSameConversation(seq: number): boolean {
    const generation = this.generation;
    this.sendAck(seq);
    return this.generation === generation;
  }

  private sendAck(seq: number): void {
    const message = { type: 'ACK' } as const;
    this.write(this.frameOf(message, seq, false), encodeFrame(message, seq, { fromDevice: !this.peerIsDevice }));
  }

  private sendNak(seq: number, reason: NakReasonName): void {
    this.stats.naksSent++;
    const message = { type: 'NAK', reason } as const;
    this.write(this.frameOf(message, seq, false), encodeFrame(message, seq, { fromDevice: !this.peerIsDevice }));
  }

  private write(frame: Frame, bytes: Buffer): void {
    this.stats.framesSent++;
    try {
      this.options.write(bytes);
    } catch {
      this.stats.writeErrors++; // a broken write is a lost frame: retransmission and 'dead' handle it
      return;
    }
    this.emit('sent', frame, bytes);
  }

  /** The Frame view of what we send, for 'sent'/'retransmit' listeners (same shape the decoder gives the peer). */
  private frameOf(message: Message, seq: number, retransmission: boolean): Frame {
    const fromDevice = !this.peerIsDevice;
    const flags = (fromDevice ? FLAG_FROM_DEVICE : 0) | (retransmission ? FLAG_RETRANSMISSION : 0);
    return { version: PROTOCOL_VERSION, flags, seq, fromDevice, retransmission, message };
  }

  private heard(): void {
    this.heardAt = this.options.clock.now();
    this.armDeadTimer();
  }

  private armDeadTimer(): void {
    const { clock, deadAfterMs } = this.options;
    clock.clearTimeout(this.deadTimer);
    if (deadAfterMs === false || this.closed) return;
    this.deadTimer = clock.setTimeout(() => {
      this.deadTimer = undefined;
      this.emit('dead', protocolError('LINK_DEAD', `nothing heard from the ${this.peerIsDevice ? 'device' : 'host'} for ${deadAfterMs} ms`, {
        lastHeardAt: this.heardAt,
      }));
    }, deadAfterMs);
  }

  /**
   * Keepalive counts from the last message first sent (not ACKs, not retransmissions), so PINGs keep an even cadence;
   * pingJitter shortens each wait at random, so links opened together drift apart instead of pinging in one burst.
   */
  private armKeepalive(): void {
    const { clock, pingIntervalMs, pingJitter, random } = this.options;
    clock.clearTimeout(this.keepaliveTimer);
    if (pingIntervalMs === false || this.closed) return;
    const waitMs = pingJitter === 0 ? pingIntervalMs : pingIntervalMs * (1 - pingJitter * Math.min(1, Math.max(0, random())));
    this.keepaliveTimer = clock.setTimeout(() => {
      this.keepaliveTimer = undefined;
      // A frame already awaiting its ACK tests the line as well as a PING would.
      if (this.inFlight !== undefined || this.queue.length > 0) this.armKeepalive();
      else this.ping().catch(ignore);
    }, waitMs);
  }
}
