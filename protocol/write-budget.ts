/**
 * Writing to a peer that may stop reading. Node buffers whatever a stream cannot pass on yet (write() returns
 * false, `writableLength` grows, 'drain' comes later); a peer that never reads would make that buffer grow without
 * end. Both ends of the link write through here: past the budget the bytes are refused and the caller drops the peer.
 */
import { MAX_UNWRITTEN_BYTES } from './constants.js';
import { protocolError, type ProtocolError } from './errors.js';

/**
 * The stream facts this needs (a net.Socket, a SerialPort, a PtyPort or any Writable has them; so does the driver's
 * ByteTransport). A stream that does not report `writableLength` buffers nothing of its own (counted as 0).
 */
export interface BudgetedStream {
  readonly writableLength?: number;
  write(bytes: Buffer): unknown;
}

/**
 * Writes `bytes` unless that would leave more than `maxUnwrittenBytes` waiting in the stream's buffer; then writes
 * nothing and returns ProtocolError PEER_NOT_READING (the buffer never exceeds the budget). Undefined when written.
 */
export function writeWithinBudget(stream: BudgetedStream, bytes: Buffer, maxUnwrittenBytes = MAX_UNWRITTEN_BYTES): ProtocolError | undefined {
  const waiting = stream.writableLength ?? 0;
  if (waiting + bytes.length > maxUnwrittenBytes) {
    return protocolError('PEER_NOT_READING', `the peer is not reading: ${waiting} bytes still unwritten, limit ${maxUnwrittenBytes}`, {
      unwrittenBytes: waiting, limit: maxUnwrittenBytes,
    });
  }
  stream.write(bytes);
  return undefined;
}
