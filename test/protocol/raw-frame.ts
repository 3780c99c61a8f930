/**
 * Builds frames byte by byte, with a correct CRC over whatever header and payload a test wants, so
 * tests can reach the checks that come after the CRC (version, flags, length, type, payload).
 */
import { cobsEncode, crc16CcittFalse, PROTOCOL_VERSION } from '../../protocol/index.js';

export interface RawFrameFields {
  version?: number;
  flags?: number;
  seq?: number;
  type: number;
  payload?: Uint8Array | number[];
  /** Header length field; defaults to the payload's real length. */
  lengthField?: number;
}

/** The unencoded body: header + payload + CRC. */
export function rawBody(fields: RawFrameFields): Buffer {
  const payload = Buffer.from(fields.payload ?? []);
  const body = Buffer.alloc(6 + payload.length + 2);
  body[0] = fields.version ?? PROTOCOL_VERSION;
  body[1] = fields.flags ?? 0;
  body[2] = fields.seq ?? 0;
  body[3] = fields.type;
  body.writeUInt16BE(fields.lengthField ?? payload.length, 4);
  payload.copy(body, 6);
  body.writeUInt16BE(crc16CcittFalse(body, 0, body.length - 2), body.length - 2);
  return body;
}

/** COBS(body) + 0x00 for a body whose CRC is right. */
export function rawFrame(fields: RawFrameFields): Buffer {
  return Buffer.concat([cobsEncode(rawBody(fields)), Buffer.of(0)]);
}
