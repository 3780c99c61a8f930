/**
 * `tenkey conform` fails, naming the clause, against each deliberately broken keypad (test/conform/broken-keypad.ts):
 * the reference keypad with one duty broken on the wire.
 */
import { describe, expect, it } from 'vitest';
import { apiKeys } from '../../conform/key-source.js';
import { formatReportText } from '../../conform/report.js';
import { runConformance, type ConformReport } from '../../conform/runner.js';
import { CONFORM_CHECKS } from '../../conform/checks/index.js';
import type { CheckGroup } from '../../conform/check.js';
import { encodeFrame } from '../../protocol/index.js';
import { asIs, badCrcSeq, brokenKeypad, type Breakage, type HostFrameHook } from './broken-keypad.js';
import { runCli } from '../host-driver/cli-runner.js';

async function conformOf(breakage: Breakage, groups: readonly CheckGroup[], onHostFrame?: HostFrameHook): Promise<ConformReport> {
  const keypad = await brokenKeypad(breakage, onHostFrame);
  return runConformance({
    device: keypad.address,
    keys: apiKeys((script) => keypad.sim.keypad.type(script)),
    checks: CONFORM_CHECKS.filter((c) => groups.includes(c.group)),
  });
}

function expectFailed(report: ConformReport, id: string, section: string): void {
  const result = report.results.find((r) => r.id === id);
  expect(result?.outcome, formatReportText(report)).toBe('fail');
  expect(result?.section).toContain(section);
  expect(report.conforms).toBe(false);
  expect(formatReportText(report)).toMatch(new RegExp(`FAIL +${section.replace(/[§.]/g, (c) => `\\${c}`)}.*\\[${id}\\]`));
}

describe('tenkey conform against broken keypads', () => {
  it('an ACK with the wrong seq fails §6.2 (link.ack-first)', async () => {
    const report = await conformOf((f) => [f.message.type === 'ACK' ? encodeFrame(f.message, (f.seq + 1) & 0xff, { fromDevice: true }) : asIs(f)], ['link']);
    expectFailed(report, 'link.ack-first', '§6.2');
  }, 60_000);

  it('messages that skip a seq fail §6.1 (link.device-seq)', async () => {
    let skip = 0;
    const report = await conformOf((f) => {
      if (f.message.type === 'ACK' || f.message.type === 'NAK') return [asIs(f)];
      if (!f.retransmission) skip++;
      return [encodeFrame(f.message, (f.seq + skip) & 0xff, { fromDevice: true, retransmission: f.retransmission })];
    }, ['link']);
    expectFailed(report, 'link.device-seq', '§6.1');
  }, 60_000);

  it('a keypad that never ACKs fails §8 (hello.info) and §6.2', async () => {
    const report = await conformOf((f) => (f.message.type === 'ACK' ? [] : [asIs(f)]), ['handshake', 'link']);
    expectFailed(report, 'hello.info', '§8');
    expectFailed(report, 'link.ack-first', '§6.2');
  }, 60_000);

  it('a keypad that ACKs a frame with a bad CRC fails §3.5 #6', async () => {
    const ackBadCrc: HostFrameHook = (encoded) => {
      const seq = badCrcSeq(encoded);
      return seq === undefined ? [] : [encodeFrame({ type: 'ACK' }, seq, { fromDevice: true })];
    };
    const report = await conformOf((f) => [asIs(f)], ['refusals'], ackBadCrc);
    expectFailed(report, 'refusals.row-6', '§3.5 #6');
    expect(report.results.filter((r) => r.outcome === 'fail').map((r) => r.id)).toEqual(['refusals.row-6']);
  }, 60_000);

  it('a keypad that omits INFO fails §8 (hello.info) and §5.3 (get-info)', async () => {
    const report = await conformOf((f) => (f.message.type === 'INFO' ? [] : [asIs(f)]), ['handshake']);
    expectFailed(report, 'hello.info', '§8');
    expectFailed(report, 'get-info', '§5.3');
  }, 60_000);

  it('a RESULT without the STATUS reports before it fails §9.2 (flow.card)', async () => {
    const report = await conformOf(
      (f) => (f.message.type === 'STATUS' && (f.message.state === 'PROCESSING' || f.message.state === 'DONE') ? [] : [asIs(f)]),
      ['flows'],
    );
    expectFailed(report, 'flow.card', '§9.2');
  }, 60_000);

  it('a keypad that ignores CANCEL fails §5.5 (cancel.running)', async () => {
    const report = await conformOf(
      (f) => ((f.message.type === 'STATUS' && f.message.state === 'CANCELLED') || (f.message.type === 'ERROR' && f.message.code === 'CANCELLED') ? [] : [asIs(f)]),
      ['entry'],
    );
    expectFailed(report, 'cancel.running', '§5.5');
  }, 60_000);

  it('a keypad that never sends a lost ERROR again fails the optional §6.4 re-send check only', async () => {
    const firstErrorSeq = new Map<number, number>();
    const report = await conformOf((f) => {
      if (f.message.type !== 'ERROR' || f.retransmission) return [asIs(f)];
      const seen = firstErrorSeq.get(f.message.sessionId);
      if (seen === undefined) firstErrorSeq.set(f.message.sessionId, f.seq);
      return seen === undefined || seen === f.seq ? [asIs(f)] : [];
    }, ['entry']);
    const result = report.results.find((r) => r.id === 'resend.answer');
    expect(result?.outcome, formatReportText(report)).toBe('fail');
    expect(result?.section).toBe('§6.4, §6.5');
    // A SHOULD: the keypad still conforms.
    expect(report.conforms).toBe(true);
  }, 60_000);

  it('the CLI exits 8 and names the clause; --json carries the failing check for CI', async () => {
    const keypad = await brokenKeypad((f) => (f.message.type === 'INFO' ? [] : [asIs(f)]));
    const run = await runCli(['conform', '--device', keypad.address, '--json', '--keys', '<wait:2500>4111111111111111<enter>1230<enter>'], { timeoutMs: 90_000 });
    expect(run.code).toBe(8);
    const json = JSON.parse(run.stdout) as ConformReport & { summary: string };
    expect(json.conforms).toBe(false);
    expect(json.results.find((r) => r.id === 'hello.info')).toMatchObject({ outcome: 'fail', section: '§8, §5.9' });
    expect(json.summary).toContain('does NOT conform');
    expect(run.stdout + run.stderr).not.toContain('4111111111111111');
  }, 120_000);
});
