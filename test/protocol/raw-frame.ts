/**
 * Frames byte by byte for the protocol tests: conform's crafted frames (conform/crafted-frame.ts), one builder for
 * both, with a correct CRC over whatever header and payload a test wants, so tests can reach the checks that come
 * after the CRC (version, flags, length, type, payload). Here seq defaults to 0.
 */
import { craftedBody, craftedFrame, type CraftedFrameFields } from '../../conform/crafted-frame.js';

export type RawFrameFields = Omit<CraftedFrameFields, 'seq'> & { seq?: number };

/** The unencoded body: header + payload + CRC. */
export function rawBody(fields: RawFrameFields): Buffer {
  return craftedBody({ ...fields, seq: fields.seq ?? 0 });
}

/** COBS(body) + 0x00 for a body whose CRC is right (unless `badCrc`). */
export function rawFrame(fields: RawFrameFields): Buffer {
  return craftedFrame({ ...fields, seq: fields.seq ?? 0 });
}
