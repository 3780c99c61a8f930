/** HELLO and INFO (PROTOCOL.md §5.2, §5.3, §5.9, §8, §6.5). */
import { KEY_SET_ID_SIZE, PROTOCOL_VERSION } from '../../protocol/index.js';
import { must, type ConformCheck } from '../check.js';
import { request, requireMessage } from '../exchange.js';

export const HANDSHAKE_CHECKS: readonly ConformCheck[] = [
  {
    id: 'hello.info', group: 'handshake', section: '§8, §5.9', required: true, idleWindowMs: 0,
    clause: 'HELLO 1..1 is ACKed and answered with INFO for version 1',
    async run(context) {
      const { mark } = await request(context, { type: 'HELLO', minVersion: 1, maxVersion: 1 });
      const { message } = await requireMessage(context, mark, 'INFO', 'INFO answering HELLO');
      must(message.protocolVersion === PROTOCOL_VERSION, `INFO chose version ${message.protocolVersion}, not ${PROTOCOL_VERSION}`);
      must(message.keySetId.length === KEY_SET_ID_SIZE, `INFO keySetId has ${message.keySetId.length} bytes`);
    },
  },
  {
    id: 'hello.again', group: 'handshake', section: '§6.3, §6.5', required: true, idleWindowMs: 0,
    clause: 'a new HELLO on the same link (next seq, no RETRANSMISSION flag) is answered again',
    async run(context) {
      const { mark } = await request(context, { type: 'HELLO', minVersion: 1, maxVersion: 4 });
      const { message } = await requireMessage(context, mark, 'INFO', 'INFO answering a second HELLO');
      must(message.protocolVersion === PROTOCOL_VERSION, `INFO chose version ${message.protocolVersion} of 1..4, not ${PROTOCOL_VERSION}`);
    },
  },
  {
    id: 'hello.no-common-version', group: 'handshake', section: '§8 step 3', required: true, idleWindowMs: 0,
    clause: 'HELLO offering no version the keypad speaks gets ERROR UNSUPPORTED_VERSION, sessionId 0',
    async run(context) {
      try {
        const { mark } = await request(context, { type: 'HELLO', minVersion: 200, maxVersion: 255 });
        const { message } = await requireMessage(context, mark, 'ERROR', 'ERROR answering HELLO 200..255');
        must(message.code === 'UNSUPPORTED_VERSION', `HELLO 200..255 got ERROR ${message.code}`);
        must(message.sessionId === 0, `ERROR UNSUPPORTED_VERSION carried sessionId ${message.sessionId}, not 0`);
      } finally {
        // Back to a version-1 conversation for the checks that follow.
        const { mark } = await request(context, { type: 'HELLO', minVersion: 1, maxVersion: 1 });
        await requireMessage(context, mark, 'INFO', 'INFO answering HELLO 1..1');
      }
    },
  },
  {
    id: 'get-info', group: 'handshake', section: '§5.3', required: true, idleWindowMs: 0,
    clause: 'GET_INFO is answered with INFO',
    async run(context) {
      const { mark } = await request(context, { type: 'GET_INFO' });
      await requireMessage(context, mark, 'INFO', 'INFO answering GET_INFO');
    },
  },
];
