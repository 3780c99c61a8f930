/** Framing (PROTOCOL.md §2): what a keypad must take in stride between and inside frames. */
import { encodeFrame, MAX_ENCODED_SIZE } from '../../protocol/index.js';
import type { CheckContext, ConformCheck } from '../check.js';
import { requireAck, requireMessage, requireSilence } from '../exchange.js';

/** GET_STATUS after whatever a check wrote: the keypad must still ACK and answer it. */
async function stillAnswers(context: CheckContext, before: Buffer, what: string): Promise<void> {
  const { probe } = context;
  const mark = probe.mark();
  probe.writeRaw(before);
  await requireSilence(context, mark, `${what} must get no answer`);
  const statusMark = probe.mark();
  const seq = probe.send({ type: 'GET_STATUS' });
  await requireAck(context, statusMark, seq, `GET_STATUS after ${what}`);
  await requireMessage(context, statusMark, 'STATUS', `STATUS answering GET_STATUS after ${what}`);
}

export const FRAMING_CHECKS: readonly ConformCheck[] = [
  {
    id: 'framing.empty-frame', group: 'framing', section: '§2.4', required: true, idleWindowMs: 0,
    clause: 'empty frames (consecutive 0x00) are ignored silently',
    run: (context) => stillAnswers(context, Buffer.alloc(4), 'empty frames'),
  },
  {
    id: 'framing.garbage', group: 'framing', section: '§2.4', required: true, idleWindowMs: 0,
    clause: 'garbage costs only the frame it touches: no answer, and the next frame is read',
    // A short body (TOO_SHORT) and a code byte past the end (BAD_COBS).
    run: (context) => stillAnswers(context, Buffer.of(0x05, 0x11, 0x22, 0x33, 0x44, 0x00, 0x09, 0x01, 0x02, 0x00), 'garbage'),
  },
  {
    id: 'framing.too-long', group: 'framing', section: '§2.3, §2.4', required: true, idleWindowMs: 0,
    clause: 'a run longer than the largest frame is dropped up to the next 0x00 (TOO_LONG, no answer)',
    run: (context) => stillAnswers(context, Buffer.concat([Buffer.alloc(MAX_ENCODED_SIZE + 100, 0x41), Buffer.of(0)]), 'an oversized run'),
  },
  {
    id: 'framing.split', group: 'framing', section: '§2.4', required: true, idleWindowMs: 0,
    clause: 'a frame that arrives in pieces is one frame',
    async run(context) {
      const { probe } = context;
      const mark = probe.mark();
      const seq = probe.takeSeq();
      const bytes = encodeFrame({ type: 'GET_STATUS' }, seq);
      for (const byte of bytes) {
        probe.writeRaw(Buffer.of(byte));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await requireAck(context, mark, seq, 'GET_STATUS written a byte at a time');
      await requireMessage(context, mark, 'STATUS', 'STATUS answering a GET_STATUS written a byte at a time');
    },
  },
];
