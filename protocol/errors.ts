/**
 * One factory for every protocol-level error, each with a stable `code` (tests assert codes, not messages).
 */
import { CodedError, type ErrorDetails } from './coded-error.js';

export const ProtocolErrorCode = {
  /** COBS decoding failed (a zero inside, or a code byte pointing past the end). */
  BAD_COBS: 'BAD_COBS',
  /** CRC-16/CCITT-FALSE over header and payload did not match. */
  BAD_CRC: 'BAD_CRC',
  /** More than MAX_BODY_SIZE bytes before a delimiter. */
  TOO_LONG: 'TOO_LONG',
  /** Shorter than header + CRC, or an empty frame. */
  TOO_SHORT: 'TOO_SHORT',
  /** Header length field disagrees with the bytes present, or the payload length is wrong for its type. */
  BAD_LENGTH: 'BAD_LENGTH',
  /** Message type byte not in PROTOCOL.md. */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  /** Header version byte not supported. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  /** Reserved flag bits set. */
  BAD_FLAGS: 'BAD_FLAGS',
  /** A field holds a value outside its allowed set (unknown enum code, non-digit in `last`, …). */
  BAD_PAYLOAD: 'BAD_PAYLOAD',
  /** An encoder was given a message it cannot put on the wire (a programming error, not wire input). */
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  /** The peer answered NAK to a frame. */
  NAK_RECEIVED: 'NAK_RECEIVED',
  /** No ACK after every retransmission. */
  NO_ACK: 'NO_ACK',
  /** Nothing valid heard from the peer within LINK_DEAD_AFTER_MS. */
  LINK_DEAD: 'LINK_DEAD',
  /** The link was closed while a frame waited for its ACK. */
  LINK_CLOSED: 'LINK_CLOSED',
  /** More messages waiting for the line than the link's limit (MAX_QUEUED_SENDS): a peer asks faster than it acknowledges. */
  QUEUE_FULL: 'QUEUE_FULL',
  /** More bytes waiting to be written than the limit (MAX_UNWRITTEN_BYTES): the peer does not read. */
  PEER_NOT_READING: 'PEER_NOT_READING',
} as const;
export type ProtocolErrorCodeName = keyof typeof ProtocolErrorCode;

export class ProtocolError extends CodedError<ProtocolErrorCodeName> {
  constructor(
    code: ProtocolErrorCodeName,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(code, message);
  }
}

export function protocolError(
  code: ProtocolErrorCodeName,
  message: string,
  details?: ErrorDetails,
): ProtocolError {
  return new ProtocolError(code, message, details);
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
