import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cobsDecode, cobsDecodeInto, cobsEncode, cobsMaxEncodedLength, COBS_INVALID, COBS_OVERFLOW } from '../../protocol/cobs.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const range = (from: number, to: number) => Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => from + i));

// Encoding examples from the Wikipedia article "Consistent Overhead Byte Stuffing" (after Cheshire & Baker 1999),
// written without the trailing 0x00 delimiter.
const WIKIPEDIA_EXAMPLES: [name: string, decoded: Buffer, encoded: Buffer][] = [
  ['1: 00', hex('00'), hex('01 01')],
  ['2: 00 00', hex('00 00'), hex('01 01 01')],
  ['3: 00 11 00', hex('00 11 00'), hex('01 02 11 01')],
  ['4: 11 22 00 33', hex('11 22 00 33'), hex('03 11 22 02 33')],
  ['5: 11 22 33 44', hex('11 22 33 44'), hex('05 11 22 33 44')],
  ['6: 11 00 00 00', hex('11 00 00 00'), hex('02 11 01 01 01')],
  ['7: 01 … FE (254 bytes)', range(0x01, 0xfe), Buffer.concat([hex('ff'), range(0x01, 0xfe)])],
  ['8: 00 01 … FE (255 bytes)', range(0x00, 0xfe), Buffer.concat([hex('01 ff'), range(0x01, 0xfe)])],
  ['9: 01 … FF (255 bytes)', range(0x01, 0xff), Buffer.concat([hex('ff'), range(0x01, 0xfe), hex('02 ff')])],
  ['10: 02 … FF 00 (255 bytes)', Buffer.concat([range(0x02, 0xff), hex('00')]),
    Buffer.concat([hex('ff'), range(0x02, 0xff), hex('01 01')])],
  ['11: 03 … FF 00 01 (255 bytes)', Buffer.concat([range(0x03, 0xff), hex('00 01')]),
    Buffer.concat([hex('fe'), range(0x03, 0xff), hex('02 01')])],
];

describe('COBS', () => {
  it.each(WIKIPEDIA_EXAMPLES)('encodes and decodes example %s', (_name, decoded, encoded) => {
    expect(cobsEncode(decoded)).toEqual(encoded);
    expect(cobsDecode(encoded)).toEqual(decoded);
  });

  it('encodes the empty input as a single 0x01', () => {
    expect(cobsEncode(Buffer.alloc(0))).toEqual(hex('01'));
    expect(cobsDecode(hex('01'))).toEqual(Buffer.alloc(0));
  });

  it('round-trips any bytes, never emits 0x00, and stays within the worst-case overhead', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1100 }), (data) => {
      const encoded = cobsEncode(data);
      expect(encoded.includes(0)).toBe(false);
      expect(encoded.length).toBeLessThanOrEqual(cobsMaxEncodedLength(data.length));
      expect(new Uint8Array(cobsDecode(encoded))).toEqual(data);
    }));
  });

  it('rejects a 0x00 inside the encoded data', () => {
    expect(() => cobsDecode(hex('03 11 00 02 33'))).toThrow(expect.objectContaining({ code: 'BAD_COBS' }));
    expect(() => cobsDecode(hex('00'))).toThrow(expect.objectContaining({ code: 'BAD_COBS' }));
  });

  it('rejects a code byte that points past the end', () => {
    expect(cobsDecodeInto(hex('05 11 22'), 0, 3, Buffer.alloc(10))).toBe(COBS_INVALID);
  });

  it('reports overflow instead of writing past the destination', () => {
    const dest = Buffer.alloc(3);
    expect(cobsDecodeInto(hex('05 11 22 33 44'), 0, 5, dest)).toBe(COBS_OVERFLOW);
    expect(cobsDecodeInto(hex('03 11 22 02 33'), 0, 5, dest)).toBe(COBS_OVERFLOW);
  });

  it('decodes a window of a larger buffer', () => {
    const src = hex('aa 03 11 22 02 33 bb');
    const dest = Buffer.alloc(8);
    expect(cobsDecodeInto(src, 1, 6, dest)).toBe(4);
    expect(dest.subarray(0, 4)).toEqual(hex('11 22 00 33'));
  });
});
