/**
 * The steps checks are made of: send a request and hold the keypad to its ACK, wait for an answer, make sure
 * nothing answers. Each failure names what was missing, so the report says which duty the keypad broke.
 */
import { ACK_TIMEOUT_MS, describeMessage, type DeviceMessage, type Frame, type HostMessage, type MessageTypeName } from '../protocol/index.js';
import { CheckFailed, type CheckContext } from './check.js';
import type { HeardFrame } from './probe.js';

/** How long a check waits for an ACK: ACK_TIMEOUT_MS (§6.2; §6.5 asks for 50 ms), doubled for a loaded test machine. */
export const ACK_WAIT_MS = 2 * ACK_TIMEOUT_MS;
/** How long a check waits for an answer to a request: the host's ANSWER_WAIT_MS of §6.5. */
export const ANSWER_WAIT_MS = 1000;
/** How long "no answer" is watched for: more than one retransmission period. */
export const SILENCE_MS = 400;

type DeviceMessageOf<T extends MessageTypeName> = Extract<DeviceMessage, { type: T }>;

/** Sends `message` as a new message and requires its ACK (not a NAK); returns the seq and the mark before it. */
export async function request(context: CheckContext, message: HostMessage): Promise<{ seq: number; mark: number }> {
  const { probe } = context;
  const mark = probe.mark();
  const seq = probe.send(message);
  await requireAck(context, mark, seq, message.type);
  return { seq, mark };
}

/** Requires the keypad's ACK of the host frame `seq` sent after `mark`. */
export async function requireAck(context: CheckContext, mark: number, seq: number, what: string): Promise<HeardFrame> {
  const answer = await context.probe.waitFor(mark, (f) => isLinkAnswer(f, seq), ACK_WAIT_MS);
  if (answer === undefined) throw new CheckFailed(`no ACK for ${what} (seq ${seq}) within ${ACK_WAIT_MS} ms`);
  const { message } = answer.frame;
  if (message.type === 'NAK') throw new CheckFailed(`${what} (seq ${seq}) was refused: NAK ${message.reason}`);
  if (!answer.frame.fromDevice) throw new CheckFailed(`the ACK of ${what} (seq ${seq}) lacks the FROM_DEVICE flag`);
  return answer;
}

/** The first device message of `type` after `mark` that `match` accepts, or a failure naming `what`. */
export async function requireMessage<T extends MessageTypeName>(
  context: CheckContext, mark: number, type: T, what: string,
  options: { match?: (message: DeviceMessageOf<T>) => boolean; timeoutMs?: number } = {},
): Promise<{ heard: HeardFrame; message: DeviceMessageOf<T> }> {
  const timeoutMs = options.timeoutMs ?? ANSWER_WAIT_MS;
  const match = options.match ?? (() => true);
  const heard = await context.probe.waitFor(
    mark, (f) => f.fromDevice && f.message.type === type && match(f.message as DeviceMessageOf<T>), timeoutMs,
  );
  if (heard === undefined) {
    const got = deviceMessagesSince(context, mark).map(describeMessage);
    throw new CheckFailed(`no ${what} within ${timeoutMs} ms${got.length === 0 ? ' (nothing came)' : ` (came: ${got.slice(-4).join('; ')})`}`);
  }
  return { heard, message: heard.frame.message as DeviceMessageOf<T> };
}

/** Requires that nothing at all (no ACK, NAK or message) comes for SILENCE_MS after `mark`. */
export async function requireSilence(context: CheckContext, mark: number, why: string): Promise<void> {
  const heard = await context.probe.waitFor(mark, () => true, SILENCE_MS);
  if (heard !== undefined) throw new CheckFailed(`${why}, but the keypad sent ${describeFrame(heard.frame)}`);
}

/** Device messages (not ACK/NAK) heard since `mark`, in order; retransmitted copies once. */
export function deviceMessagesSince(context: CheckContext, mark: number): DeviceMessage[] {
  return context.probe.since(mark)
    .filter((h) => h.frame.fromDevice && !h.frame.retransmission && h.frame.message.type !== 'ACK' && h.frame.message.type !== 'NAK')
    .map((h) => h.frame.message as DeviceMessage);
}

export function describeFrame(frame: Frame): string {
  return `${describeMessage(frame.message)} (seq ${frame.seq})`;
}

function isLinkAnswer(frame: Frame, seq: number): boolean {
  return (frame.message.type === 'ACK' || frame.message.type === 'NAK') && frame.seq === seq;
}
