/**
 * What the connection machine invokes on a LinkSession: HELLO on its link, and a watch that turns the keypad's answer
 * to HELLO and the session's loss into machine events.
 */
import { fromCallback, fromPromise } from 'xstate';
import { NO_SESSION_ID, type Message } from '../../protocol/index.js';
import type { TenkeyLogger } from '../logger.js';
import type { ConnectionMachineEvent } from './connection-machine.js';
import { HELLO } from './handshake-rules.js';
import type { LinkSession } from './link-session.js';

/** One HELLO: resolves on its ACK, rejects as LinkEndpoint.send does (NO_ACK, NAK_RECEIVED, LINK_CLOSED …). */
export const sayHello = fromPromise<void, LinkSession>(({ input: session }) => session.link.send(HELLO));

/**
 * For as long as the session is the connection's (one actor, not two: each invoked actor costs a connection setup
 * time): LINK_LOST once when the transport closes, the link goes dead or the keypad stops reading; and, until the
 * machine routes messages to the driver (`deliverMessages`), the keypad's answer to HELLO — INFO → INFO, ERROR for
 * session 0 → REFUSED; anything else before the answer is stale (a previous host's session) and discarded.
 */
export function watchLink(loggerOf: (system: object) => TenkeyLogger) {
  return fromCallback<ConnectionMachineEvent, LinkSession>(({ input: session, sendBack, system }) => {
    const logger = loggerOf(system);
    const answer = (message: Message): void => {
      if (message.type === 'INFO') sendBack({ type: 'INFO', info: message });
      // Session 0 is no entry: an ERROR for it answers HELLO (UNSUPPORTED_VERSION) or refuses us (BUSY: another host).
      else if (message.type === 'ERROR' && message.sessionId === NO_SESSION_ID) sendBack({ type: 'REFUSED', code: message.code, detail: message.detail });
      else logger.debug('stale message discarded before HELLO was answered', { type: message.type });
    };
    session.onMessage = answer;
    session.whenLost((error) => sendBack({ type: 'LINK_LOST', error }));
    return () => {
      session.whenLost(undefined);
      if (session.onMessage === answer) session.onMessage = () => {};
    };
  });
}
