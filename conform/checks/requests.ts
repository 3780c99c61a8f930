/** PING, GET_STATUS and RESET (PROTOCOL.md §5.6–§5.8, §5.10, §6.4). */
import { must, type ConformCheck } from '../check.js';
import { request, requireMessage } from '../exchange.js';

export const REQUEST_CHECKS: readonly ConformCheck[] = [
  {
    id: 'ping.pong', group: 'requests', section: '§5.7, §6.4', required: true, idleWindowMs: 0,
    clause: 'PING is answered with PONG carrying the same nonce',
    async run(context) {
      const nonce = 0x5eed_c0de;
      const { mark } = await request(context, { type: 'PING', nonce });
      await requireMessage(context, mark, 'PONG', `PONG with nonce ${nonce}`, { match: (m) => m.nonce === nonce });
    },
  },
  {
    id: 'reset.idle', group: 'requests', section: '§5.8, §5.10', required: true, idleWindowMs: 0,
    clause: 'RESET is answered with STATUS IDLE, sessionId 0',
    async run(context) {
      const { mark } = await request(context, { type: 'RESET' });
      const { message } = await requireMessage(context, mark, 'STATUS', 'STATUS answering RESET');
      must(message.state === 'IDLE' && message.sessionId === 0, `RESET was answered with STATUS ${message.state}, session ${message.sessionId}`);
    },
  },
  {
    id: 'get-status.idle', group: 'requests', section: '§5.6, §5.10', required: true, idleWindowMs: 0,
    clause: 'GET_STATUS after RESET: STATUS IDLE, session 0, field NONE, digits 0, secondsLeft 0, notice NONE',
    async run(context) {
      const reset = await request(context, { type: 'RESET' });
      await requireMessage(context, reset.mark, 'STATUS', 'STATUS answering RESET');
      const { mark } = await request(context, { type: 'GET_STATUS' });
      const { message: s } = await requireMessage(context, mark, 'STATUS', 'STATUS answering GET_STATUS');
      must(
        s.state === 'IDLE' && s.sessionId === 0 && s.field === 'NONE' && s.digits === 0 && s.secondsLeft === 0 && s.notice === 'NONE',
        `idle STATUS was state ${s.state}, session ${s.sessionId}, field ${s.field}, digits ${s.digits}, secondsLeft ${s.secondsLeft}, notice ${s.notice}`,
      );
    },
  },
];
