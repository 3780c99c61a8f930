/** Damaged frames the wire and capture rows share. */
import { cobsEncode, MessageType } from '../../protocol/index.js';
import { rawBody } from '../protocol/raw-frame.js';

/** A GET_INFO (seq 0) whose last CRC byte is wrong, in valid COBS: only the CRC check can catch it. */
export function badCrcFrame(): Buffer {
  const body = rawBody({ type: MessageType.GET_INFO });
  body[body.length - 1]! ^= 0xff;
  return Buffer.concat([cobsEncode(body), Buffer.of(0)]);
}

/** Bytes that end in a delimiter but are no COBS: the code byte 0x05 points past the end. */
export const BAD_COBS_BYTES = Buffer.from([0x05, 0x01, 0x02, 0x00]);
