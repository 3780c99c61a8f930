/**
 * Frames with a header of the check's choosing and a correct CRC, so a check can reach the refusals of
 * PROTOCOL.md §3.5 that come after the CRC (version, flags, length, type, payload, direction). Built from the
 * protocol library's own COBS and CRC; well-formed frames always come from encodeFrame.
 */
import { cobsEncode, crc16CcittFalse, PROTOCOL_VERSION } from '../protocol/index.js';

export interface CraftedFrameFields {
  version?: number;
  flags?: number;
  seq: number;
  type: number;
  payload?: readonly number[] | Uint8Array;
  /** Header length field; defaults to the payload's real length. */
  lengthField?: number;
  /** Flip the CRC's low byte (a frame damaged on the line). */
  badCrc?: boolean;
}

/** The unencoded body: header ‖ payload ‖ CRC. */
export function craftedBody(fields: CraftedFrameFields): Buffer {
  const payload = Buffer.from(fields.payload ?? []);
  const body = Buffer.alloc(6 + payload.length + 2);
  body[0] = fields.version ?? PROTOCOL_VERSION;
  body[1] = fields.flags ?? 0;
  body[2] = fields.seq;
  body[3] = fields.type;
  body.writeUInt16BE(fields.lengthField ?? payload.length, 4);
  payload.copy(body, 6);
  const crc = crc16CcittFalse(body, 0, body.length - 2) ^ (fields.badCrc === true ? 0x00ff : 0);
  body.writeUInt16BE(crc, body.length - 2);
  return body;
}

/** COBS(header ‖ payload ‖ CRC) ‖ 0x00. */
export function craftedFrame(fields: CraftedFrameFields): Buffer {
  return Buffer.concat([cobsEncode(craftedBody(fields)), Buffer.of(0)]);
}
