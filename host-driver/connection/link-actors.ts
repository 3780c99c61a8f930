/**
 * What the connection machine invokes on a LinkSession: HELLO on its link, a listener that turns the keypad's answer
 * into machine events while the handshake runs, and a watch for the session's loss.
 */
import { fromCallback, fromPromise } from 'xstate';
import { NO_SESSION_ID, type Message } from '../../protocol/index.js';
import type { TenkeyLogger } from '../logger.js';
import type { ConnectionMachineEvent } from './connection-machine.js';
import { HELLO } from './handshake-rules.js';
import type { LinkSession } from './link-session.js';

/** One HELLO: resolves on its ACK, rejects as LinkEndpoint.send does (NO_ACK, NAK_RECEIVED, LINK_CLOSED …). */
export const sayHello = fromPromise<void, LinkSession>(({ input: session }) => session.link.send(HELLO));

/** INFO → INFO, ERROR for session 0 → REFUSED; anything else before the answer is stale (a previous host's session). */
export function listenForAnswer(logger: TenkeyLogger) {
  return fromCallback<ConnectionMachineEvent, LinkSession>(({ input: session, sendBack }) => {
    const listener = (message: Message): void => {
      if (message.type === 'INFO') sendBack({ type: 'INFO', info: message });
      // Session 0 is no entry: an ERROR for it answers HELLO (UNSUPPORTED_VERSION) or refuses us (BUSY: another host).
      else if (message.type === 'ERROR' && message.sessionId === NO_SESSION_ID) sendBack({ type: 'REFUSED', code: message.code, detail: message.detail });
      else logger.debug('stale message discarded before HELLO was answered', { type: message.type });
    };
    session.onMessage = listener;
    return () => {
      if (session.onMessage === listener) session.onMessage = () => {};
    };
  });
}

/** LINK_LOST once when the session's transport closes, its link goes dead or the keypad stops reading. */
export const watchLink = fromCallback<ConnectionMachineEvent, LinkSession>(({ input: session, sendBack }) => {
  session.whenLost((error) => sendBack({ type: 'LINK_LOST', error }));
  return () => session.whenLost(undefined);
});
