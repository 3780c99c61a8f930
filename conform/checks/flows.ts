/**
 * Entry flows with keys (PROTOCOL.md §9.2–§9.4, §5.11, §5.13): the keys come from the KeySource (the operator,
 * the keypad's API, or the keypad's own script). Nothing here prints what was typed or what RESULT reveals.
 */
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { describeMessage, KSN_SIZE, type DeviceMessage } from '../../protocol/index.js';
import { CheckFailed, CheckSkipped, must, type CheckContext, type ConformCheck } from '../check.js';
import { deviceMessagesSince, requireMessage } from '../exchange.js';
import { startEntry } from './entry.js';

const REVEAL = 3;

/** Messages of `sessionId` since `mark`, by state name for STATUS and type otherwise (never field values). */
function flowOf(context: CheckContext, mark: number, sessionId: number): DeviceMessage[] {
  return deviceMessagesSince(context, mark).filter((m) => 'sessionId' in m && m.sessionId === sessionId);
}

function step(message: DeviceMessage | undefined): string {
  if (message === undefined) return 'nothing';
  if (message.type === 'STATUS') return `STATUS ${message.state}`;
  if (message.type === 'KEY') return `KEY ${message.keyClass}`;
  if (message.type === 'ERROR') return `ERROR ${message.code}`;
  return message.type;
}

function requireAskable(context: CheckContext): void {
  if (context.keys.kind !== 'ask') throw new CheckSkipped('needs keys typed on request (the keypad types one fixed script)');
}

/** The RESULT or ERROR that ends `sessionId`, waiting as long as the keys may take. */
async function endOf(context: CheckContext, mark: number, sessionId: number): Promise<DeviceMessage> {
  const end = await context.probe.waitFor(mark, ({ message: m }) => (m.type === 'RESULT' || m.type === 'ERROR') && m.sessionId === sessionId, context.keys.patienceMs);
  if (end === undefined) {
    const seen = flowOf(context, mark, sessionId).map(step).join(', ');
    throw new CheckFailed(`no RESULT or ERROR for session ${sessionId} within ${context.keys.patienceMs} ms (came: ${seen || 'nothing'})`);
  }
  return end.frame.message as DeviceMessage;
}

export const FLOW_CHECKS: readonly ConformCheck[] = [
  {
    id: 'flow.card', group: 'flows', section: '§9.2, §5.11, §5.13', required: true, idleWindowMs: 0,
    clause: 'a valid card with expiry: STATUS PAN, KEYs, STATUS EXPIRY, PROCESSING, DONE, then RESULT (reveal digits, 12-byte KSN, block)',
    async run(context) {
      const { sessionId, mark } = await startEntry(context, { inactivityTimeoutS: 30, reveal: REVEAL, expiryRequired: true });
      await context.keys.type({
        say: 'a valid test card number of an accepted brand, ENTER, then an expiry MMYY in the future, ENTER',
        script: `${TEST_CARDS.visa}<enter>1230<enter>`,
      });
      const end = await endOf(context, mark, sessionId);
      const flow = flowOf(context, mark, sessionId);
      const states = flow.flatMap((m) => (m.type === 'STATUS' ? [m.state] : []));
      if (end.type !== 'RESULT') throw new CheckFailed(`the entry ended with ${describeMessage(end)}; states ${states.join(' → ')}`);
      must(states.join(',') === 'PAN,EXPIRY,PROCESSING,DONE', `state reports were ${states.join(' → ')}, not PAN → EXPIRY → PROCESSING → DONE`);
      const endAt = flow.indexOf(end);
      must(step(flow[endAt - 1]) === 'STATUS DONE', `RESULT followed ${step(flow[endAt - 1])}, not STATUS DONE`);
      const expiryAt = flow.findIndex((m) => m.type === 'STATUS' && m.state === 'EXPIRY');
      must(step(flow[expiryAt - 1]) === 'KEY ENTER', `STATUS EXPIRY followed ${step(flow[expiryAt - 1])}, not the KEY of its ENTER`);
      const keys = flow.filter((m) => m.type === 'KEY');
      must(keys.length >= 2, `only ${keys.length} KEY reports for a card, an expiry and two ENTERs`);
      must(end.last.length === REVEAL && /^[0-9]*$/.test(end.last), `RESULT revealed ${end.last.length} characters, START_ENTRY asked for ${REVEAL} digits`);
      must(end.keySerialNumber.length === KSN_SIZE, `RESULT KSN has ${end.keySerialNumber.length} bytes, not ${KSN_SIZE}`);
      const block = end.encryptedBlock.length;
      must(block % 16 === 0 && block >= 32 && block <= 256, `RESULT encryptedBlock has ${block} bytes, not a multiple of 16 in 32–256`);
    },
  },
  {
    id: 'flow.invalid-pan', group: 'flows', section: '§9.2 step 3, §9.4, §5.11', required: false, idleWindowMs: 0,
    clause: 'ENTER on a number failing Luhn: KEY ENTER with notice INVALID_PAN, field PAN cleared to 0 digits, entry goes on',
    async run(context) {
      requireAskable(context);
      const { sessionId, mark } = await startEntry(context);
      await context.keys.type({
        say: 'a sixteen-digit number that fails the Luhn check (a test number with its last digit changed), then ENTER',
        script: `${TEST_CARDS['luhn-fail']}<enter>`,
      });
      const { message } = await requireMessage(context, mark, 'KEY', 'KEY ENTER with notice INVALID_PAN', {
        match: (m) => m.sessionId === sessionId && m.keyClass === 'ENTER', timeoutMs: context.keys.patienceMs,
      });
      must(message.notice === 'INVALID_PAN' && message.field === 'PAN' && message.digits === 0,
        `KEY ENTER reported field ${message.field}, digits ${message.digits}, notice ${message.notice}`);
      const ended = flowOf(context, mark, sessionId).filter((m) => m.type === 'RESULT' || m.type === 'ERROR');
      must(ended.length === 0, `one invalid number ended the entry (${step(ended[0])})`);
    },
  },
  {
    id: 'flow.cancel-key', group: 'flows', section: '§9.3, §5.11', required: false, idleWindowMs: 0,
    clause: 'the CANCEL key: KEY CANCEL (field NONE, digits 0), STATUS CANCELLED, ERROR CANCELLED',
    async run(context) {
      requireAskable(context);
      const { sessionId, mark } = await startEntry(context);
      await context.keys.type({ say: 'the CANCEL key', script: '<cancel>' });
      const end = await requireMessage(context, mark, 'ERROR', `ERROR for session ${sessionId}`, {
        match: (m) => m.sessionId === sessionId, timeoutMs: context.keys.patienceMs,
      });
      must(end.message.code === 'CANCELLED', `the CANCEL key ended the entry with ERROR ${end.message.code}`);
      const flow = flowOf(context, mark, sessionId);
      const key = flow.find((m) => m.type === 'KEY' && m.keyClass === 'CANCEL');
      must(key?.type === 'KEY' && key.field === 'NONE' && key.digits === 0, key === undefined ? 'no KEY CANCEL' : `KEY CANCEL reported field ${key.type === 'KEY' ? key.field : ''}`);
      const endAt = flow.indexOf(end.message);
      must(step(flow[endAt - 1]) === 'STATUS CANCELLED', `ERROR CANCELLED followed ${step(flow[endAt - 1])}, not STATUS CANCELLED`);
    },
  },
];
