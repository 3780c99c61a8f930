/**
 * The receiver checks of PROTOCOL.md §3.5, row by row: frames that fail before the CRC is known good get no
 * answer at all; from row 7 on the keypad NAKs with the row's reason; a frame with its own direction bit is an echo.
 */
import { FLAG_FROM_DEVICE, MessageType, type NakReasonName } from '../../protocol/index.js';
import { CheckFailed, type CheckContext, type ConformCheck } from '../check.js';
import { craftedFrame, type CraftedFrameFields } from '../crafted-frame.js';
import { ACK_WAIT_MS, describeFrame, requireSilence } from '../exchange.js';

async function requireNak(context: CheckContext, fields: Omit<CraftedFrameFields, 'seq'>, reason: NakReasonName): Promise<void> {
  const { probe } = context;
  const mark = probe.mark();
  const seq = probe.takeSeq();
  probe.writeRaw(craftedFrame({ ...fields, seq }));
  const answer = await probe.waitFor(mark, () => true, ACK_WAIT_MS);
  if (answer === undefined) throw new CheckFailed(`no NAK ${reason} (seq ${seq}) within ${ACK_WAIT_MS} ms`);
  const { frame } = answer;
  if (frame.message.type !== 'NAK' || frame.message.reason !== reason || frame.seq !== seq) {
    throw new CheckFailed(`expected NAK ${reason} (seq ${seq}), got ${describeFrame(frame)}`);
  }
}

async function requireNoAnswer(context: CheckContext, fields: Omit<CraftedFrameFields, 'seq'>, why: string): Promise<void> {
  const { probe } = context;
  const mark = probe.mark();
  probe.writeRaw(craftedFrame({ ...fields, seq: probe.takeSeq() }));
  await requireSilence(context, mark, why);
}

const GET_STATUS = MessageType.GET_STATUS;

function row(number: number, clause: string, run: (context: CheckContext) => Promise<void>): ConformCheck {
  return { id: `refusals.row-${number}`, group: 'refusals', section: `§3.5 #${number}`, required: true, idleWindowMs: 0, clause, run };
}

export const REFUSAL_CHECKS: readonly ConformCheck[] = [
  row(5, 'a body under 8 bytes (TOO_SHORT) gets no answer', async (c) => {
    const mark = c.probe.mark();
    c.probe.writeRaw(Buffer.of(0x06, 0x01, 0x02, 0x03, 0x04, 0x05, 0x00)); // COBS of a 5-byte body
    await requireSilence(c, mark, 'a TOO_SHORT frame must get no answer');
  }),
  row(6, 'a frame whose CRC does not match (BAD_CRC) gets no answer: no ACK, no NAK',
    (c) => requireNoAnswer(c, { type: GET_STATUS, badCrc: true }, 'a frame with a bad CRC must get no answer')),
  row(7, 'a version the keypad does not speak is refused: NAK UNSUPPORTED_VERSION',
    (c) => requireNak(c, { type: GET_STATUS, version: 0x7f }, 'UNSUPPORTED_VERSION')),
  row(8, 'reserved flag bits set are refused: NAK BAD_PAYLOAD',
    (c) => requireNak(c, { type: GET_STATUS, flags: 0x04 }, 'BAD_PAYLOAD')),
  row(9, 'a length field that disagrees with the body is refused: NAK BAD_LENGTH',
    (c) => requireNak(c, { type: MessageType.PING, payload: [1, 2, 3, 4], lengthField: 3 }, 'BAD_LENGTH')),
  row(10, 'an unassigned type is refused: NAK UNKNOWN_TYPE',
    (c) => requireNak(c, { type: 0x7e }, 'UNKNOWN_TYPE')),
  row(11, 'a payload of the wrong size for its type is refused: NAK BAD_LENGTH',
    (c) => requireNak(c, { type: GET_STATUS, payload: [0] }, 'BAD_LENGTH')),
  row(12, 'a field outside its allowed values is refused: NAK BAD_PAYLOAD (HELLO with minVersion > maxVersion)',
    (c) => requireNak(c, { type: MessageType.HELLO, payload: [2, 1] }, 'BAD_PAYLOAD')),
  row(13, "a frame with the keypad's own direction bit (an echo) is ignored silently",
    (c) => requireNoAnswer(c, { type: GET_STATUS, flags: FLAG_FROM_DEVICE }, 'a frame with FROM_DEVICE set must be ignored')),
  row(14, 'a device-only type from the host is refused: NAK WRONG_DIRECTION',
    (c) => requireNak(c, { type: MessageType.PONG, payload: [0, 0, 0, 1] }, 'WRONG_DIRECTION')),
];
