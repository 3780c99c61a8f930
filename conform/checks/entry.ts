/** START_ENTRY, CANCEL, BUSY and the inactivity timeout (PROTOCOL.md §5.4, §5.5, §9.1–§9.3, §6.5), no keys needed. */
import type { StartEntryMessage } from '../../protocol/index.js';
import { must, type CheckContext, type ConformCheck } from '../check.js';
import { deviceMessagesSince, request, requireMessage } from '../exchange.js';
import { describeMessage } from '../../protocol/index.js';

/** Starts an entry and requires its STATUS PAN (§9.2 step 1); returns its id and the mark before it. */
export async function startEntry(
  context: CheckContext, options: Partial<Omit<StartEntryMessage, 'type' | 'sessionId'>> = {},
): Promise<{ sessionId: number; mark: number; start: StartEntryMessage }> {
  const sessionId = context.newSessionId();
  const start: StartEntryMessage = {
    type: 'START_ENTRY', sessionId, inactivityTimeoutS: 30, reveal: 3, expiryRequired: true, acceptedBrands: [], ...options,
  };
  const { mark } = await request(context, start);
  await requireMessage(context, mark, 'STATUS', `STATUS PAN for session ${sessionId}`, {
    match: (m) => m.sessionId === sessionId && m.state === 'PAN',
  });
  return { sessionId, mark, start };
}

export const ENTRY_CHECKS: readonly ConformCheck[] = [
  {
    id: 'start-entry.status-pan', group: 'entry', section: '§9.2 step 1, §5.10', required: true, idleWindowMs: 500,
    clause: 'START_ENTRY is answered with STATUS PAN: field PAN, digits 0, secondsLeft = the inactivity timeout, notice NONE',
    async run(context) {
      const { sessionId, mark } = await startEntry(context, { inactivityTimeoutS: 30 });
      const first = deviceMessagesSince(context, mark)[0];
      must(first?.type === 'STATUS', `the first message after START_ENTRY was ${first === undefined ? 'nothing' : describeMessage(first)}, not STATUS`);
      must(
        first.sessionId === sessionId && first.field === 'PAN' && first.digits === 0 && first.secondsLeft === 30 && first.notice === 'NONE',
        `STATUS PAN was field ${first.field}, digits ${first.digits}, secondsLeft ${first.secondsLeft} (START_ENTRY said 30), notice ${first.notice}`,
      );
    },
  },
  {
    id: 'cancel.running', group: 'entry', section: '§5.5, §9.3', required: true, idleWindowMs: 500,
    clause: 'CANCEL of the running entry ends it: STATUS CANCELLED, then ERROR CANCELLED with its sessionId',
    async run(context) {
      const { sessionId } = await startEntry(context);
      const { mark } = await request(context, { type: 'CANCEL', sessionId });
      const status = await requireMessage(context, mark, 'STATUS', `STATUS CANCELLED for session ${sessionId}`, {
        match: (m) => m.sessionId === sessionId && m.state === 'CANCELLED',
      });
      const error = await requireMessage(context, mark, 'ERROR', `ERROR CANCELLED for session ${sessionId}`, {
        match: (m) => m.sessionId === sessionId,
      });
      must(error.message.code === 'CANCELLED', `CANCEL ended the entry with ERROR ${error.message.code}`);
      must(status.heard.at <= error.heard.at, 'ERROR CANCELLED came before the final STATUS');
    },
  },
  {
    id: 'cancel.no-session', group: 'entry', section: '§5.5, §5.12', required: true, idleWindowMs: 0,
    clause: 'CANCEL naming no running entry gets ERROR NO_SESSION carrying that sessionId',
    async run(context) {
      const sessionId = context.newSessionId();
      const { mark } = await request(context, { type: 'CANCEL', sessionId });
      const { message } = await requireMessage(context, mark, 'ERROR', `ERROR NO_SESSION for session ${sessionId}`);
      must(message.code === 'NO_SESSION' && message.sessionId === sessionId, `CANCEL of no entry got ERROR ${message.code}, session ${message.sessionId}`);
    },
  },
  {
    id: 'busy', group: 'entry', section: '§9.1, §9.2 step 1', required: true, idleWindowMs: 1500,
    clause: 'START_ENTRY while an entry runs gets ERROR BUSY (its own sessionId, no STATUS); the running entry goes on',
    async run(context) {
      const running = await startEntry(context);
      const refused = context.newSessionId();
      const { mark } = await request(context, { ...running.start, sessionId: refused });
      const { message } = await requireMessage(context, mark, 'ERROR', `ERROR BUSY for session ${refused}`);
      must(message.code === 'BUSY' && message.sessionId === refused, `the second START_ENTRY got ERROR ${message.code}, session ${message.sessionId}`);
      const probe = await request(context, { type: 'GET_STATUS' });
      const { message: status } = await requireMessage(context, probe.mark, 'STATUS', 'STATUS answering GET_STATUS');
      must(status.sessionId === running.sessionId && status.state === 'PAN', `after BUSY the keypad reports ${status.state}, session ${status.sessionId}: the running entry did not go on`);
      const stray = deviceMessagesSince(context, mark).filter((m) => m.type === 'STATUS' && m.sessionId === refused);
      must(stray.length === 0, 'the refused START_ENTRY got a STATUS');
    },
  },
  {
    id: 'timeout.inactivity', group: 'entry', section: '§9.3, §6.5', required: true, idleWindowMs: 2500,
    clause: 'inactivityTimeoutS = 1 with no key: STATUS TIMEOUT, then ERROR TIMEOUT, 1 s (at most 2 s) after START_ENTRY',
    async run(context) {
      const { sessionId, mark } = await startEntry(context, { inactivityTimeoutS: 1 });
      const started = context.probe.since(mark)[0]?.at ?? performance.now();
      const error = await requireMessage(context, mark, 'ERROR', `ERROR TIMEOUT for session ${sessionId}`, {
        match: (m) => m.sessionId === sessionId, timeoutMs: 2500,
      });
      const after = error.heard.at - started;
      must(error.message.code === 'TIMEOUT', `the entry ended with ERROR ${error.message.code}, not TIMEOUT`);
      must(after >= 900 && after <= 2200, `ERROR TIMEOUT came ${Math.round(after)} ms after START_ENTRY, not 1,000–2,000 ms`);
      const final = deviceMessagesSince(context, mark).filter((m) => m.type === 'STATUS' && m.sessionId === sessionId).at(-1);
      must(final?.type === 'STATUS' && final.state === 'TIMEOUT', 'no STATUS TIMEOUT before ERROR TIMEOUT');
    },
  },
  {
    id: 'resend.answer', group: 'entry', section: '§6.4, §6.5', required: false, idleWindowMs: 2500,
    clause: 'an ERROR that failed NO_ACK while the host is heard is sent again as a new message (next seq, no RETRANSMISSION flag)',
    async run(context) {
      const { probe } = context;
      let withheld: number | undefined;
      // Every copy of the entry's first ERROR goes unanswered; everything else is ACKed, so the host stays heard.
      probe.autoAck = (frame) => {
        if (frame.message.type !== 'ERROR') return true;
        withheld ??= frame.seq;
        return frame.seq !== withheld;
      };
      try {
        const { sessionId, mark } = await startEntry(context, { inactivityTimeoutS: 1 });
        const first = await requireMessage(context, mark, 'ERROR', `ERROR TIMEOUT for session ${sessionId}`, {
          match: (m) => m.sessionId === sessionId, timeoutMs: 2500,
        });
        const firstSeq = first.heard.frame.seq;
        const again = await probe.waitFor(mark, (f) => f.message.type === 'ERROR' && f.message.sessionId === sessionId && f.seq !== firstSeq, 2500);
        must(again !== undefined, `the unacknowledged ERROR (seq ${firstSeq}) was not sent again as a new message within 2,500 ms`);
        must(!again.frame.retransmission, 'the ERROR sent again carries the RETRANSMISSION flag: it must be a new message');
      } finally {
        probe.autoAck = true;
      }
    },
  },
];
