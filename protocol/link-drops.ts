/**
 * Which FrameDecoder drops a link answers with NAK (PROTOCOL.md §6): only frames whose CRC verified,
 * so their seq can be trusted. Anything else is left to the sender's retransmission timer.
 */
import type { ProtocolError, ProtocolErrorCodeName } from './errors.js';
import { MessageType, type NakReasonName } from './messages.js';

const NAK_REASON_FOR_DROP: Partial<Record<ProtocolErrorCodeName, NakReasonName>> = {
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  BAD_LENGTH: 'BAD_LENGTH',
  BAD_PAYLOAD: 'BAD_PAYLOAD',
  BAD_FLAGS: 'BAD_PAYLOAD',
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
};

/** The NAK owed for a dropped frame from the peer, or undefined when none is. */
export function nakForDrop(error: ProtocolError, peerIsDevice: boolean): { seq: number; reason: NakReasonName } | undefined {
  const reason = NAK_REASON_FOR_DROP[error.code];
  const { seq, type, fromDevice } = error.details;
  if (reason === undefined || typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > 0xff) return undefined;
  // Never answer a link frame (no NAK storms), nor a frame in our own direction (an echo of ours).
  if (type === MessageType.ACK || type === MessageType.NAK) return undefined;
  if (typeof fromDevice === 'boolean' && fromDevice !== peerIsDevice) return undefined;
  return { seq, reason };
}
