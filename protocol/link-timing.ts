/**
 * Time derived from the link's ACK timer (PROTOCOL.md §6.5). No imports, so constants.ts can use it too.
 */

/**
 * How long the answer to a request the peer has ACKed may take to arrive: the answer's own attempts, its first copy
 * and `maxRetransmissions` more, each given `ackTimeoutMs`. ANSWER_WAIT_MS is this at the default timers.
 */
export function answerWaitMs(timing: { readonly ackTimeoutMs: number; readonly maxRetransmissions: number }): number {
  return (timing.maxRetransmissions + 1) * timing.ackTimeoutMs;
}
