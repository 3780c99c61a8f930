/**
 * Numbers fixed by PROTOCOL.md. Names follow the spec so code and prose can be read side by side.
 */
import { answerWaitMs } from './link-timing.js';

/** Protocol version this implementation speaks (header byte 0, HELLO/INFO negotiation). */
export const PROTOCOL_VERSION = 1;
/** Lowest protocol version this implementation accepts in HELLO negotiation. */
export const PROTOCOL_VERSION_MIN = 1;

/** Header: version u8, flags u8, seq u8, type u8, payload length u16 BE. */
export const HEADER_SIZE = 6;
/** CRC-16/CCITT-FALSE trailer, big-endian. */
export const CRC_SIZE = 2;
/** Largest decoded body (header + payload + CRC) a receiver accepts. */
export const MAX_BODY_SIZE = 1024;
/** Largest payload that fits in MAX_BODY_SIZE. */
export const MAX_PAYLOAD_SIZE = MAX_BODY_SIZE - HEADER_SIZE - CRC_SIZE;
/** Largest COBS-encoded body (without the 0x00 delimiter): one overhead byte per 254 data bytes, plus one. */
export const MAX_ENCODED_SIZE = MAX_BODY_SIZE + Math.ceil(MAX_BODY_SIZE / 254) + 1;
/** Frame delimiter on the wire. */
export const FRAME_DELIMITER = 0x00;

/** Header flag bits. */
export const FLAG_FROM_DEVICE = 0x01;
/** Set on a retransmitted frame (informational: receivers use seq for duplicate detection). */
export const FLAG_RETRANSMISSION = 0x02;
/** Bits that must be zero in version 1. */
export const FLAGS_RESERVED_MASK = 0xfc;

/** Link timers (PROTOCOL.md §6). */
export const ACK_TIMEOUT_MS = 250;
export const MAX_RETRANSMISSIONS = 3;
export const PING_INTERVAL_MS = 1000;
export const LINK_DEAD_AFTER_MS = 3000;
/**
 * Host (PROTOCOL.md §6.5): how long it waits for the answer (INFO, STATUS, PONG) to a request the device has ACKed
 * before it asks again. The answer's own attempts (first copy and MAX_RETRANSMISSIONS more) take this long.
 */
export const ANSWER_WAIT_MS = answerWaitMs({ ackTimeoutMs: ACK_TIMEOUT_MS, maxRetransmissions: MAX_RETRANSMISSIONS });
/**
 * Per-connection memory bounds, whatever the peer does (not wire constants: each end keeps its own). A live peer on
 * a stop-and-wait link never comes near either; one that asks without acknowledging, or sends without reading, is
 * dropped once it passes them (QUEUE_FULL, PEER_NOT_READING).
 */
export const MAX_QUEUED_SENDS = 1024;
export const MAX_UNWRITTEN_BYTES = 64 * 1024;
/**
 * The device drops a connection it can close (TCP) when nothing valid has come from the host for this long
 * (PROTOCOL.md §6.4): well past LINK_DEAD_AFTER_MS, so a live host (which PINGs every PING_INTERVAL_MS) never meets it.
 */
export const HOST_SILENT_DROP_MS = 4 * LINK_DEAD_AFTER_MS;
/** The longest delay a Node timer honours (a longer one fires after 1 ms with a TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2_147_483_647;
/**
 * Host, during an entry (PROTOCOL.md §9.7): after this long with nothing from the device for the session, ask
 * GET_STATUS, to learn whether the entry ended with a RESULT or ERROR the link lost. Not a whole number of seconds,
 * so that a probe does not fall on the instant the device's own whole-second timers end the entry.
 */
export const STATUS_PROBE_AFTER_MS = 5500;

/** Entry defaults (PROTOCOL.md §5, START_ENTRY). */
/** sessionId 0 in STATUS and ERROR means "no session" (PROTOCOL.md §5.4, §5.10, §5.12); hosts never choose it. */
export const NO_SESSION_ID = 0;
export const DEFAULT_INACTIVITY_TIMEOUT_S = 60;
export const DEFAULT_REVEAL_DIGITS = 3;
export const MAX_REVEAL_DIGITS = 4;
/** Overall cap on one entry session, whatever the keys do. */
export const ENTRY_SESSION_CAP_S = 300;
/** Invalid (Luhn-failing) numbers the person may retype before the session ends with INVALID_CARD. */
export const MAX_INVALID_PAN_ATTEMPTS = 3;
export const PAN_MIN_DIGITS = 12;
export const PAN_MAX_DIGITS = 19;

/** Default TCP port of a keypad on the store LAN ("プライベートIPとポート番号": defaults work). */
export const DEFAULT_TCP_PORT = 7780;
export const DEFAULT_TCP_HOST = '127.0.0.1';

/** DUKPT key serial number (X9.24-3 AES: BDK ID 4 + derivation ID 4 + counter 4). */
export const KSN_SIZE = 12;
/** Key set id = initial key ID (BDK ID + derivation ID). */
export const KEY_SET_ID_SIZE = 8;
