/**
 * What a LinkEndpoint reports: its typed event map and its counters.
 */
import type { ProtocolError } from './errors.js';
import type { Frame } from './frame-types.js';
import type { DeviceMessage, HostMessage } from './messages.js';

export interface LinkEndpointEvents {
  /** A new message from the peer: ACKed, delivered exactly once. Link-level PING (device) and PONG (host) are answered/consumed inside. */
  message: [message: HostMessage | DeviceMessage, frame: Frame];
  /** A repeat of the last delivered frame (its ACK was lost): re-ACKed, not delivered. */
  duplicate: [frame: Frame];
  /** A frame sent again for lack of an ACK; attempt counts from 1 to maxRetransmissions. */
  retransmit: [frame: Frame, attempt: number];
  /** A NAK received from the peer. */
  nak: [frame: Frame];
  /** ACK or NAK that names no frame awaiting one (late or repeated), or any frame in our own direction (an echo): ignored, never answered. */
  stray: [frame: Frame];
  /** Nothing valid heard from the peer for deadAfterMs (ProtocolError LINK_DEAD); once until something is heard again. */
  dead: [error: ProtocolError];
  /**
   * A send found maxQueuedSends messages already waiting (ProtocolError QUEUE_FULL; that send rejects with it):
   * the peer asks faster than it acknowledges. The link stays open; its owner decides (the virtual keypad drops its host).
   */
  overflow: [error: ProtocolError];
  /** Every frame write() took without throwing, ACK/NAK and retransmissions included. */
  sent: [frame: Frame, bytes: Buffer];
  /** Every frame passed to receiveFrame() while open. */
  received: [frame: Frame];
}

export interface LinkStats {
  /** Frames written, retransmissions and ACK/NAK included. */
  framesSent: number;
  retransmissions: number;
  /** Frames passed to receiveFrame(). */
  framesReceived: number;
  /** Messages delivered (including the PING/PONG the link consumes itself). */
  delivered: number;
  duplicates: number;
  naksSent: number;
  naksReceived: number;
  stray: number;
  /** Sends that failed with NO_ACK. */
  noAck: number;
  /** write() threw; the frame counts as lost. */
  writeErrors: number;
  /** Queued messages replaced by a newer one before they went out (a superseded PONG or progress KEY). */
  replaced: number;
}

export function emptyLinkStats(): LinkStats {
  return {
    framesSent: 0, retransmissions: 0, framesReceived: 0, delivered: 0, duplicates: 0,
    naksSent: 0, naksReceived: 0, stray: 0, noAck: 0, writeErrors: 0, replaced: 0,
  };
}
