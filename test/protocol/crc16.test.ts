import { describe, expect, it } from 'vitest';
import { crc16CcittFalse } from '../../protocol/index.js';

describe('CRC-16/CCITT-FALSE', () => {
  it('gives the catalogue check value 0x29B1 for "123456789"', () => {
    expect(crc16CcittFalse(Buffer.from('123456789', 'ascii'))).toBe(0x29b1);
  });

  it('starts from 0xFFFF (the CRC of no bytes)', () => {
    expect(crc16CcittFalse(new Uint8Array(0))).toBe(0xffff);
  });

  it('computes over a window without copying the caller into a different result', () => {
    const bytes = Buffer.from('xx123456789yy', 'ascii');
    expect(crc16CcittFalse(bytes, 2, 11)).toBe(0x29b1);
  });

  it('is not the XMODEM variant (init 0x0000 would give 0x31C3)', () => {
    expect(crc16CcittFalse(Buffer.from('123456789', 'ascii'))).not.toBe(0x31c3);
  });
});
