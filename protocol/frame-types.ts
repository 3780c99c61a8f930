import type { Message } from './messages.js';
import type { ProtocolError } from './errors.js';

/** A decoded frame: header fields plus the typed message. */
export interface Frame {
  version: number;
  /** Raw flags byte. */
  flags: number;
  /** Sequence number (u8). For ACK/NAK it is the seq of the frame being acknowledged. */
  seq: number;
  fromDevice: boolean;
  retransmission: boolean;
  message: Message;
}

export interface EncodeFrameOptions {
  /** Direction bit. Defaults from the message type; ACK/NAK must say it. */
  fromDevice?: boolean;
  retransmission?: boolean;
  /** Header version byte; defaults to PROTOCOL_VERSION. */
  version?: number;
}

export type DecodeFrameResult =
  | { ok: true; frame: Frame }
  | { ok: false; error: ProtocolError };
