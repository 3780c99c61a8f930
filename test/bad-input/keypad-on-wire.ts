/**
 * The virtual keypad's real decoder and link behind an in-memory wire, for the wire rows: bytes go in exactly as
 * a test writes them, and what the keypad answers comes back as short "seq:TYPE" strings. Time stands still
 * (a SimulatedClock), so nothing is retransmitted while a check looks.
 */
import { SimulatedClock } from 'xstate';
import { VirtualKeypad } from '../../device-sim/virtual-keypad.js';
import type { Frame, ProtocolErrorCodeName } from '../../protocol/index.js';
import { attachWireHost, type WireHost } from '../device-sim/wire-host.js';
import type { Defer } from './check-scope.js';

export interface KeypadOnWire {
  keypad: VirtualKeypad;
  host: WireHost;
  /** Codes of what the keypad's FrameDecoder dropped, in order. */
  drops: ProtocolErrorCodeName[];
  /** Writes raw bytes from the host's side, one chunk at a time, and lets the keypad answer. */
  write(...chunks: Buffer[]): Promise<void>;
  /** Every frame the keypad wrote, as "seq:TYPE" ("4:NAK UNKNOWN_TYPE" for a NAK). */
  replies(): string[];
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function summary(frame: Frame): string {
  const { message } = frame;
  return message.type === 'NAK' ? `${frame.seq}:NAK ${message.reason}` : `${frame.seq}:${message.type}`;
}

export function keypadOnWire(defer: Defer): KeypadOnWire {
  const keypad = new VirtualKeypad({ clock: new SimulatedClock() });
  defer(() => keypad.close());
  const host = attachWireHost(keypad);
  const drops: ProtocolErrorCodeName[] = [];
  keypad.attachment!.decoder.on('drop', (error) => drops.push(error.code));
  return {
    keypad, host, drops,
    async write(...chunks) {
      for (const chunk of chunks) {
        host.stream.push(chunk);
        await tick();
      }
    },
    replies: () => host.frames.map(summary),
  };
}
