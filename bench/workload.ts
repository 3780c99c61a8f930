/**
 * A deterministic, realistic wire stream for benchmarks: keypad sessions as a store sees them
 * (HELLO/INFO at connect, START_ENTRY, a KEY per press, STATUS polls, RESULT or ERROR, CANCEL,
 * PING/PONG keepalives, an ACK for every message, the odd NAK and RESET), so every message type appears.
 */
import { encodeFrame, type Brand, type Message } from '../protocol/index.js';
// The fault injector's seeded PRNG: every run benchmarks the same bytes.
import { mulberry32 as prng } from '../device-sim/faults/prng.js';


const BRANDS: Brand[] = ['visa', 'mastercard', 'jcb', 'american-express', 'diners-club'];

export interface Workload {
  bytes: Buffer;
  frames: number;
  /** Frames per message type, to show the mix. */
  mix: Record<string, number>;
}

/** Builds about `targetBytes` of wire traffic from `seed`. */
export function buildWorkload(targetBytes: number, seed = 0x7e4b3): Workload {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const bytesOf = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  const chunks: Buffer[] = [];
  const mix: Record<string, number> = {};
  let size = 0;
  let frames = 0;
  let hostSeq = 0;
  let deviceSeq = 0;

  // Every message is followed by the peer's ACK, as on a real link.
  const send = (message: Message, fromDevice: boolean) => {
    const seq = fromDevice ? (deviceSeq = (deviceSeq + 1) & 0xff) : (hostSeq = (hostSeq + 1) & 0xff);
    for (const [m, dir] of [[message, fromDevice], [{ type: 'ACK' }, !fromDevice]] as const) {
      const frame = encodeFrame(m, seq, { fromDevice: dir });
      chunks.push(frame);
      size += frame.length;
      frames++;
      mix[m.type] = (mix[m.type] ?? 0) + 1;
    }
  };

  const keySetId = bytesOf(8);
  while (size < targetBytes) {
    send({ type: 'HELLO', minVersion: 1, maxVersion: 1 }, false);
    send({ type: 'GET_INFO' }, false);
    send({
      type: 'INFO', protocolVersion: 1, model: 'TK-10 テンキー', firmwareVersion: '1.4.2', serialNumber: `SN${int(1e8)}`,
      keySetId, acceptedBrands: BRANDS,
    }, true);
    for (let session = 0; session < 20 && size < targetBytes; session++) {
      const sessionId = int(2 ** 32);
      send({ type: 'START_ENTRY', sessionId, inactivityTimeoutS: 60, reveal: 3, expiryRequired: true, acceptedBrands: [] }, false);
      const panDigits = 16;
      for (let d = 1; d <= panDigits + 4; d++) {
        const field = d <= panDigits ? 'PAN' : 'EXPIRY';
        const digits = d <= panDigits ? d : d - panDigits;
        send({ type: 'KEY', sessionId, keyClass: 'DIGIT', field, digits, notice: 'NONE' }, true);
        if (d % 6 === 0) {
          send({ type: 'GET_STATUS' }, false);
          send({ type: 'STATUS', state: field, sessionId, field, digits, secondsLeft: 60 - d, notice: 'NONE' }, true);
        }
        if (d % 8 === 0) {
          const nonce = int(2 ** 32);
          send({ type: 'PING', nonce }, false);
          send({ type: 'PONG', nonce }, true);
        }
      }
      send({ type: 'KEY', sessionId, keyClass: 'ENTER', field: 'EXPIRY', digits: 4, notice: 'NONE' }, true);
      const outcome = int(10);
      if (outcome < 7) {
        send({
          type: 'RESULT', sessionId, brand: BRANDS[int(BRANDS.length)]!, last: String(int(1000)).padStart(3, '0'),
          keySerialNumber: bytesOf(12), encryptedBlock: bytesOf(48),
        }, true);
      } else if (outcome < 9) {
        send({ type: 'CANCEL', sessionId }, false);
        send({ type: 'ERROR', sessionId, code: 'CANCELLED', detail: 'cancelled by host' }, true);
      } else {
        send({ type: 'ERROR', sessionId, code: 'TIMEOUT', detail: 'no key for 60 s' }, true);
      }
    }
    const nak = encodeFrame({ type: 'NAK', reason: 'BAD_PAYLOAD' }, hostSeq, { fromDevice: true });
    chunks.push(nak);
    size += nak.length;
    frames++;
    mix.NAK = (mix.NAK ?? 0) + 1;
    send({ type: 'RESET' }, false);
  }
  return { bytes: Buffer.concat(chunks), frames, mix };
}

/** Splits bytes into read-sized chunks, like a socket or serial port hands them over. */
export function chunked(bytes: Buffer, chunkSize: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return chunks;
}
