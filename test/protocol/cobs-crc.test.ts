import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cobsDecodeCrcInto, cobsDecodeToDelimiter, NOT_DELIMITED } from '../../protocol/cobs-crc.js';
import { cobsEncode, crc16CcittFalse } from '../../protocol/index.js';
import { cobsDecodeInto } from '../../protocol/cobs.js';

/** Bytes with no 0x00, as the stream decoder hands them over (cut at delimiters). */
const zeroFree = (maxLength: number) => fc.uint8Array({ minLength: 0, maxLength }).map((a) => a.map((b) => b || 1));

describe('cobsDecodeCrcInto (fused COBS + CRC)', () => {
  it('decodes exactly like cobsDecodeInto, valid or not, into any destination size', () => {
    fc.assert(fc.property(zeroFree(600), fc.integer({ min: 0, max: 700 }), (src, destSize) => {
      const expected = Buffer.alloc(destSize);
      const actual = Buffer.alloc(destSize);
      const length = cobsDecodeCrcInto(src, 0, src.length, actual, { crcResidue: -1 });
      expect(length).toBe(cobsDecodeInto(src, 0, src.length, expected));
      if (length >= 0) expect(actual.subarray(0, length)).toEqual(expected.subarray(0, length));
    }));
  });

  it('ends at residue 0 exactly when the last two decoded bytes are the CRC of the rest', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.option(fc.integer({ min: 0, max: 0xffff })), (data, trailer) => {
      const crc = crc16CcittFalse(data);
      const body = Buffer.concat([data, Buffer.from([(trailer ?? crc) >> 8, (trailer ?? crc) & 0xff])]);
      const encoded = cobsEncode(body);
      const out = { crcResidue: -1 };
      expect(cobsDecodeCrcInto(encoded, 0, encoded.length, Buffer.alloc(body.length), out)).toBe(body.length);
      expect(out.crcResidue === 0).toBe((trailer ?? crc) === crc);
      // The residue is the CRC register over the whole body, as the reference computes it.
      expect(out.crcResidue).toBe(crc16CcittFalse(body));
    }));
  });

  it('decodes a window of a larger buffer', () => {
    const body = Buffer.from([1, 0, 2, 3]);
    const crc = crc16CcittFalse(body);
    const encoded = cobsEncode(Buffer.concat([body, Buffer.from([crc >> 8, crc & 0xff])]));
    const src = Buffer.concat([Buffer.from([7, 7]), encoded, Buffer.from([9])]);
    const dest = Buffer.alloc(16);
    const out = { crcResidue: -1 };
    expect(cobsDecodeCrcInto(src, 2, 2 + encoded.length, dest, out)).toBe(6);
    expect(out.crcResidue).toBe(0);
    expect(dest.subarray(0, 4)).toEqual(body);
  });
});

describe('cobsDecodeToDelimiter (stream fast path)', () => {
  const noResult = () => ({ crcResidue: -1, decodedLength: -1 });

  it('when it answers, agrees with indexOf(0) then cobsDecodeCrcInto, within maxEncoded and dest', () => {
    fc.assert(fc.property(
      // Mostly valid-looking COBS: small code bytes and some zeros, so every outcome shows up.
      fc.uint8Array({ minLength: 1, maxLength: 80 }).map((a) => a.map((b) => (b < 24 ? 0 : b % 9 === 0 ? b % 7 : b))),
      fc.nat(79), fc.integer({ min: 0, max: 90 }), fc.integer({ min: 0, max: 90 }),
      (src, startSeed, maxEncoded, destSize) => {
        const start = startSeed % src.length;
        if (src[start] === 0) return;
        const out = noResult();
        const delimiter = cobsDecodeToDelimiter(src, start, src.length, maxEncoded, Buffer.alloc(destSize), out);
        if (delimiter === NOT_DELIMITED) return;
        expect(delimiter).toBe(src.indexOf(0, start));
        expect(delimiter - start).toBeLessThanOrEqual(maxEncoded);
        const reference = { crcResidue: -1 };
        const expected = Buffer.alloc(destSize);
        expect(cobsDecodeCrcInto(src, start, delimiter, expected, reference)).toBe(out.decodedLength);
        expect(out.crcResidue).toBe(reference.crcResidue);
      }));
  });

  it('answers for every valid frame that fits, and leaves the rest to the general path', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(3), (data, slack) => {
      const encoded = cobsEncode(data);
      const src = Buffer.concat([encoded, Buffer.of(0, 5)]);
      const out = noResult();
      const dest = Buffer.alloc(data.length + slack);
      expect(cobsDecodeToDelimiter(src, 0, src.length, encoded.length, dest, out)).toBe(encoded.length);
      expect(dest.subarray(0, out.decodedLength)).toEqual(Buffer.from(data));
      // One byte short of room, or of the limit, or of the chunk: not decided here.
      if (data.length > 0) expect(cobsDecodeToDelimiter(src, 0, src.length, encoded.length, Buffer.alloc(data.length - 1), noResult())).toBe(NOT_DELIMITED);
      expect(cobsDecodeToDelimiter(src, 0, src.length, encoded.length - 1, dest, noResult())).toBe(NOT_DELIMITED);
      expect(cobsDecodeToDelimiter(src, 0, encoded.length, encoded.length, dest, noResult())).toBe(NOT_DELIMITED);
    }));
  });
});
