/**
 * A hand-driven host for VirtualKeypad unit tests: an in-memory Duplex, frames written byte-exact (any seq, any
 * flags), and every frame the device wrote kept in order. No LinkEndpoint on this side, so a test decides which
 * ACKs the device gets: `settle()` acknowledges every device message not yet acknowledged (a live host); a test
 * that wants an ACK lost simply does not call it.
 */
import { Duplex } from 'node:stream';
import type { VirtualKeypad } from '../../device-sim/virtual-keypad.js';
import { encodeFrame, FrameDecoder, type DeviceMessage, type Frame, type HostMessage } from '../../protocol/index.js';

export interface WireHost {
  readonly stream: Duplex;
  /** Every frame the device wrote (ACKs, NAKs and retransmissions included). */
  readonly frames: Frame[];
  /** The device's messages (no ACK/NAK, no retransmitted copies), in order. */
  messages(): DeviceMessage[];
  /** Writes one host frame as given. */
  send(message: HostMessage, seq: number, options?: { retransmission?: boolean }): Promise<void>;
  /** ACKs every device message not ACKed yet, until the device has nothing more to say. */
  settle(): Promise<void>;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function attachWireHost(keypad: VirtualKeypad): WireHost {
  const frames: Frame[] = [];
  const acked = new Set<number>();
  const decoder = new FrameDecoder();
  decoder.on('data', (frame: Frame) => frames.push(frame));
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      decoder.write(chunk);
      callback();
    },
  });
  keypad.attach(stream);
  const isMessage = (f: Frame): boolean => f.message.type !== 'ACK' && f.message.type !== 'NAK';
  const host: WireHost = {
    stream,
    frames,
    messages: () => frames.filter((f) => isMessage(f) && !f.retransmission).map((f) => f.message as DeviceMessage),
    async send(message, seq, options = {}) {
      stream.push(encodeFrame(message, seq, options));
      await tick();
    },
    async settle() {
      for (let round = 0; round < 1000; round++) {
        await tick();
        const unacked = frames.filter((f, i) => isMessage(f) && !acked.has(i));
        if (unacked.length === 0) return;
        for (const frame of unacked) {
          acked.add(frames.indexOf(frame));
          stream.push(encodeFrame({ type: 'ACK' }, frame.seq, { fromDevice: false }));
        }
      }
      throw new Error('the device never stopped sending');
    },
  };
  return host;
}
