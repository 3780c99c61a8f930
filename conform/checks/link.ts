/** The link layer (PROTOCOL.md §6.1–§6.3): ACKs, the device's seq counter, duplicates and retransmission. */
import { ACK_TIMEOUT_MS, MAX_RETRANSMISSIONS } from '../../protocol/index.js';
import { CheckFailed, must, type ConformCheck } from '../check.js';
import { ANSWER_WAIT_MS, request, requireAck, requireMessage, SILENCE_MS } from '../exchange.js';

export const LINK_CHECKS: readonly ConformCheck[] = [
  {
    id: 'link.ack-first', group: 'link', section: '§6.2, §6.5', required: true, idleWindowMs: 0,
    clause: 'every accepted message is ACKed (same seq, FROM_DEVICE set) before its answer',
    async run(context) {
      const { probe } = context;
      const mark = probe.mark();
      const seq = probe.send({ type: 'GET_STATUS' });
      const ack = await requireAck(context, mark, seq, 'GET_STATUS');
      const { heard } = await requireMessage(context, mark, 'STATUS', 'STATUS answering GET_STATUS');
      must(ack.at <= heard.at && probe.heard.indexOf(ack) < probe.heard.indexOf(heard), 'the STATUS came before the ACK of its GET_STATUS');
    },
  },
  {
    id: 'link.device-seq', group: 'link', section: '§6.1', required: true, idleWindowMs: 0,
    clause: "the keypad's messages take consecutive seqs (mod 256)",
    async run(context) {
      const first = await request(context, { type: 'GET_STATUS' });
      const a = await requireMessage(context, first.mark, 'STATUS', 'STATUS answering the first GET_STATUS');
      const second = await request(context, { type: 'GET_STATUS' });
      const b = await requireMessage(context, second.mark, 'STATUS', 'STATUS answering the second GET_STATUS');
      const expected = (a.heard.frame.seq + 1) & 0xff;
      must(b.heard.frame.seq === expected, `two STATUS in a row carried seq ${a.heard.frame.seq} and ${b.heard.frame.seq}, not ${expected}`);
    },
  },
  {
    id: 'link.duplicate', group: 'link', section: '§6.3', required: true, idleWindowMs: 0,
    clause: 'a repeated message (same seq) is ACKed again and not acted on again',
    async run(context) {
      const { probe } = context;
      const { seq, mark } = await request(context, { type: 'GET_STATUS' });
      await requireMessage(context, mark, 'STATUS', 'STATUS answering GET_STATUS');
      const again = probe.mark();
      probe.writeFrame({ type: 'GET_STATUS' }, seq, { retransmission: true });
      await requireAck(context, again, seq, 'the repeated GET_STATUS');
      await new Promise((resolve) => setTimeout(resolve, SILENCE_MS));
      const answers = probe.since(again).filter((h) => h.frame.message.type === 'STATUS');
      must(answers.length === 0, 'the repeated GET_STATUS was answered a second time');
    },
  },
  {
    id: 'link.retransmit', group: 'link', section: '§6.2', required: true, idleWindowMs: 0,
    clause: `a message without ACK is sent again ${MAX_RETRANSMISSIONS} times, ${ACK_TIMEOUT_MS} ms apart, same seq, RETRANSMISSION flag set`,
    async run(context) {
      const { probe } = context;
      probe.autoAck = false;
      try {
        const { mark } = await request(context, { type: 'GET_STATUS' });
        const first = await requireMessage(context, mark, 'STATUS', 'STATUS answering GET_STATUS');
        const { seq } = first.heard.frame;
        await new Promise((resolve) => setTimeout(resolve, (MAX_RETRANSMISSIONS + 2) * ACK_TIMEOUT_MS + SILENCE_MS));
        const copies = probe.since(mark).filter((h) => h.frame.fromDevice && h.frame.message.type === 'STATUS' && h.frame.seq === seq);
        const repeats = copies.slice(1);
        if (repeats.length !== MAX_RETRANSMISSIONS) {
          throw new CheckFailed(`the unacknowledged STATUS (seq ${seq}) was sent ${copies.length} times, not ${MAX_RETRANSMISSIONS + 1}`);
        }
        must(repeats.every((h) => h.frame.retransmission), 'a retransmitted copy lacks the RETRANSMISSION flag');
        for (let i = 1; i < copies.length; i++) {
          const gap = copies[i]!.at - copies[i - 1]!.at;
          // Late timers on a loaded machine stretch a gap; a keypad that retransmits early shortens it.
          must(gap >= ACK_TIMEOUT_MS * 0.8 && gap <= ACK_TIMEOUT_MS + ANSWER_WAIT_MS / 2, `copy ${i + 1} came ${Math.round(gap)} ms after the one before, not about ${ACK_TIMEOUT_MS} ms`);
        }
      } finally {
        probe.autoAck = true;
      }
    },
  },
];
