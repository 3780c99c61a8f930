/**
 * What the connection machine's `sayHello` and `watchLink` actions do on a LinkSession: HELLO on its link, and a
 * watch that turns the keypad's answer to HELLO and the session's loss into machine events. Plain calls that
 * report back with `send`, not invoked actors (an actor each cost a connection more than the machine's own steps).
 */
import { NO_SESSION_ID, type Message } from '../../protocol/index.js';
import type { TenkeyLogger } from '../logger.js';
import type { ConnectionMachineEvent } from './connection-machine.js';
import { HELLO } from './handshake-rules.js';
import type { LinkSession } from './link-session.js';

/** Where an effect reports: the connection's actor. */
export interface ConnectionEventSink {
  send(event: ConnectionMachineEvent): void;
}

/**
 * One HELLO: HELLO_ACKED on its ACK, HELLO_FAILED as LinkEndpoint.send fails (NO_ACK, NAK_RECEIVED, LINK_CLOSED …).
 * Nothing once the session ended or its INFO came (usually before the ACK's promise settles): the machine has left
 * the handshake and would ignore it, so it is not sent (one machine step less per connection).
 */
export function sayHello(session: LinkSession, machine: ConnectionEventSink): void {
  const stale = (): boolean => session.ended || session.delivering;
  session.link.send(HELLO).then(
    () => { if (!stale()) machine.send({ type: 'HELLO_ACKED' }); },
    (error: unknown) => { if (!stale()) machine.send({ type: 'HELLO_FAILED', error }); },
  );
}

/**
 * Until the session ends (LinkSession.end() drops both listeners): LINK_LOST once when the transport closes, the
 * link goes dead or the keypad stops reading; and, until the machine routes messages to the driver
 * (`deliverMessages`), the keypad's answer to HELLO — INFO → INFO, ERROR for session 0 → REFUSED; anything else
 * before the answer is stale (a previous host's session) and discarded.
 */
export function watchLink(session: LinkSession, machine: ConnectionEventSink, logger: TenkeyLogger): void {
  session.onMessage = (message: Message): void => {
    if (message.type === 'INFO') machine.send({ type: 'INFO', info: message });
    // Session 0 is no entry: an ERROR for it answers HELLO (UNSUPPORTED_VERSION) or refuses us (BUSY: another host).
    else if (message.type === 'ERROR' && message.sessionId === NO_SESSION_ID) machine.send({ type: 'REFUSED', code: message.code, detail: message.detail });
    else logger.debug('stale message discarded before HELLO was answered', { type: message.type });
  };
  session.whenLost((error) => machine.send({ type: 'LINK_LOST', error }));
}
