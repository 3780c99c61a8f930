/**
 * Found by the fault soak: on a line where one device message takes longer than the host's PING interval to get
 * through, a device that queued a PONG for every PING fell further behind each second (PONGs of PINGs long given
 * up on, queued ahead of the entry's KEY, STATUS and RESULT), until RESULTs were given up and entries ended
 * RESULT_LOST. A device keeps at most one PONG waiting, answering the newest nonce.
 */
import { describe, expect, it } from 'vitest';
import { SteppingClock } from '../../testing/stepping-clock.js';
import { decodeFrame, encodeFrame, LinkEndpoint, type Frame } from '../../protocol/index.js';

function deviceLink() {
  const clock = new SteppingClock();
  const sent: Frame[] = [];
  const link = new LinkEndpoint({
    role: 'device', clock, write: (bytes) => {
      const decoded = decodeFrame(bytes.subarray(0, bytes.length - 1));
      if (decoded.ok) sent.push(decoded.frame);
    },
  });
  const fromHost = (bytes: Buffer): void => {
    const decoded = decodeFrame(bytes.subarray(0, bytes.length - 1));
    if (!decoded.ok) throw decoded.error;
    link.receiveFrame(decoded.frame);
  };
  return { clock, link, sent, fromHost };
}

const pongsOf = (frames: Frame[]) => frames.flatMap((f) => (f.message.type === 'PONG' && !f.retransmission ? [f.message.nonce] : []));

describe('device PONGs on a slow line', () => {
  it('keeps one PONG waiting behind an unacknowledged message, answering the newest PING', () => {
    const { link, sent, fromHost } = deviceLink();
    link.send({ type: 'KEY', sessionId: 7, keyClass: 'DIGIT', field: 'PAN', digits: 1, notice: 'NONE' }).catch(() => {});
    for (let nonce = 1; nonce <= 5; nonce++) fromHost(encodeFrame({ type: 'PING', nonce }, nonce));
    // Every PING is ACKed at once, whatever waits in the queue.
    expect(sent.filter((f) => f.message.type === 'ACK').map((f) => f.seq)).toEqual([1, 2, 3, 4, 5]);
    fromHost(encodeFrame({ type: 'ACK' }, 0, { fromDevice: false })); // the KEY's ACK: the queue moves on
    const pong = sent.at(-1)!;
    expect(pong.message).toEqual({ type: 'PONG', nonce: 5 });
    fromHost(encodeFrame({ type: 'ACK' }, pong.seq, { fromDevice: false }));
    expect(pongsOf(sent)).toEqual([5]);
  });

  it('still answers every PING of an idle line, each with its own nonce', () => {
    const { sent, fromHost } = deviceLink();
    for (let nonce = 1; nonce <= 3; nonce++) {
      fromHost(encodeFrame({ type: 'PING', nonce }, nonce));
      fromHost(encodeFrame({ type: 'ACK' }, sent.at(-1)!.seq, { fromDevice: false }));
    }
    expect(pongsOf(sent)).toEqual([1, 2, 3]);
  });
});
