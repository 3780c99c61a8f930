/**
 * Public surface of the tenkey wire protocol (`tenkey/protocol`): messages, frame encode/decode, the stream
 * decoder, the link endpoint, PROTOCOL.md's constants and the protocol errors. Each name is exported on purpose
 * (api/protocol.api.md is the record); scratch buffers, COBS/CRC fast paths and the compiled body parsers stay
 * internal, and modules inside the package import those from their own files.
 */
export {
  PROTOCOL_VERSION, PROTOCOL_VERSION_MIN, HEADER_SIZE, CRC_SIZE, MAX_BODY_SIZE, MAX_PAYLOAD_SIZE, MAX_ENCODED_SIZE,
  FRAME_DELIMITER, FLAG_FROM_DEVICE, FLAG_RETRANSMISSION, FLAGS_RESERVED_MASK, ACK_TIMEOUT_MS, MAX_RETRANSMISSIONS,
  PING_INTERVAL_MS, LINK_DEAD_AFTER_MS, ANSWER_WAIT_MS, STATUS_PROBE_AFTER_MS, NO_SESSION_ID, DEFAULT_INACTIVITY_TIMEOUT_S,
  MAX_QUEUED_SENDS, MAX_UNWRITTEN_BYTES, HOST_SILENT_DROP_MS,
  DEFAULT_REVEAL_DIGITS, MAX_REVEAL_DIGITS, ENTRY_SESSION_CAP_S, MAX_INVALID_PAN_ATTEMPTS, PAN_MIN_DIGITS,
  PAN_MAX_DIGITS, DEFAULT_TCP_PORT, DEFAULT_TCP_HOST, KSN_SIZE, KEY_SET_ID_SIZE,
} from './constants.js';
export {
  MessageType, DeviceErrorCode, NakReason, KeyClass, EntryState, EntryField, EntryNotice, BrandCode,
  isHostMessage, isDeviceMessage, isLinkMessage,
} from './messages.js';
export type {
  MessageTypeName, MessageTypeCode, DeviceErrorName, NakReasonName, KeyClassName, EntryStateName, EntryFieldName,
  EntryNoticeName, Brand, HelloMessage, GetInfoMessage, StartEntryMessage, CancelMessage, GetStatusMessage,
  PingMessage, ResetMessage, InfoMessage, StatusMessage, KeyMessage, ResultMessage, ErrorMessage, PongMessage,
  AckMessage, NakMessage, HostMessage, DeviceMessage, LinkMessage, Message, MessageOf,
} from './messages.js';
export { CodedError, type ErrorDetails } from './coded-error.js';
export { ProtocolError, ProtocolErrorCode, isProtocolError, type ProtocolErrorCodeName } from './errors.js';
export type { Frame, EncodeFrameOptions, DecodeFrameResult } from './frame-types.js';
export { encodeFrame, decodeFrame } from './frame.js';
export { FrameDecoder, type FrameDecoderOptions, type FrameDecoderStats } from './frame-decoder.js';
// The plain reference codecs, for crafting or checking raw bodies; the in-place and fused variants are internal.
export { cobsEncode, cobsDecode } from './cobs.js';
export { crc16CcittFalse } from './crc16.js';
export { describeMessage, messageToJson, messageFromJson, type JsonMessage } from './describe.js';
export { LinkEndpoint, type LinkEndpointOptions, type LinkRole, type LinkEndpointEvents, type LinkStats } from './link.js';
export { systemClock, type Clock } from './clock.js';
