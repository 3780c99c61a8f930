/**
 * PROTOCOL.md §10 ("A full exchange") is normative text: every frame it shows must be what the virtual keypad
 * really sends at that point, seq for seq, including the STATUS frames it pushes (§9.2). The hex itself is checked
 * by test/protocol/spec-examples.test.ts; this test checks the story.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { VirtualKeypad } from '../../device-sim/virtual-keypad.js';
import { decodeFrame, type DeviceMessage, type Frame, type HostMessage } from '../../protocol/index.js';
import { attachWireHost } from './wire-host.js';

const spec = readFileSync(new URL('../../PROTOCOL.md', import.meta.url), 'utf8');
const section = spec.slice(spec.indexOf('\n## 10 '), spec.indexOf('\n## 11 '));

function sectionFrames(): Frame[] {
  return [...section.matchAll(/```hex\n([\s\S]*?)```/g)].map(([, hex]) => {
    const result = decodeFrame(Buffer.from(hex!.replace(/\s+/g, ''), 'hex'));
    if (!result.ok) throw result.error;
    return result.frame;
  });
}

let keypad: VirtualKeypad | undefined;
afterEach(() => keypad?.close());

describe('PROTOCOL.md §10', () => {
  const frames = sectionFrames();

  it('acknowledges every message it shows right after it, with the same seq, from the other side', () => {
    expect(frames.length).toBeGreaterThan(10);
    for (let i = 0; i < frames.length; i += 2) {
      const [message, ack] = [frames[i]!, frames[i + 1]!];
      expect(message.message.type).not.toBe('ACK');
      expect(ack.message.type).toBe('ACK');
      expect([ack.seq, ack.fromDevice]).toEqual([message.seq, !message.fromDevice]);
    }
  });

  it('shows what the virtual keypad sends for that entry, seq for seq', async () => {
    keypad = new VirtualKeypad({ clock: new SimulatedClock(), now: () => new Date('2026-11-27T12:00:00Z') });
    const host = attachWireHost(keypad);
    await host.send({ type: 'HELLO', minVersion: 1, maxVersion: 1 }, 0);
    for (let i = 1; i < 20; i++) await host.send({ type: 'GET_STATUS' }, 100 + i); // device counter to 20
    await host.settle();
    const start = frames[0]!;
    expect(start.message.type).toBe('START_ENTRY');
    await host.send(start.message as HostMessage, start.seq);
    await host.settle();
    // §10 is a person typing on a working line: each key's report is acknowledged before the next key (§5.11).
    for (const key of [...'4111111111111111', 'enter', ...'1229', 'enter'] as const) {
      keypad.press(key as '0');
      await host.settle();
    }

    const sent = new Map<number, DeviceMessage>();
    for (const f of host.frames) if (f.message.type !== 'ACK' && f.seq >= 20 && !f.retransmission) sent.set(f.seq, f.message as DeviceMessage);
    const shown = frames.filter((f) => f.fromDevice && f.message.type !== 'ACK');
    for (const frame of shown) {
      const real = sent.get(frame.seq);
      if (frame.message.type === 'RESULT' && real?.type === 'RESULT') {
        // The KSN counter and ciphertext are the spec's fixed example values; the rest must match.
        const { keySerialNumber: _k, encryptedBlock: _b, ...rest } = frame.message;
        expect(real, `seq ${frame.seq}`).toMatchObject(rest);
      } else {
        expect(real, `seq ${frame.seq}`).toEqual(frame.message);
      }
    }
    expect(Math.max(...sent.keys())).toBe(Math.max(...shown.map((f) => f.seq))); // the elided steps add up
  });
});
