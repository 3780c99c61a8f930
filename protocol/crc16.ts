/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor; check 0x29B1). PROTOCOL.md §3. */
// The raw calculator of the `crc` package, not its default export: that one copies its input with Buffer.from on every call.
import crc16ccitt from 'crc/calculators/crc16ccitt';

/** CRC-16/CCITT-FALSE of bytes[start, end). */
export function crc16CcittFalse(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc16ccitt(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
}
