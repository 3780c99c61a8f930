/**
 * Runs the conformance checks against one keypad: opens it with the driver's own address parsing and
 * transports, runs each check in order with a RESET between them, and gathers pass/fail/skip per clause.
 */
import { openTransport, parseKeypadAddress } from '../host-driver/transport/open-transport.js';
import { CheckFailed, CheckSkipped, type CheckContext, type CheckGroup, type ConformCheck } from './check.js';
import { CONFORM_CHECKS } from './checks/index.js';
import { request, requireMessage } from './exchange.js';
import type { KeySource } from './key-source.js';
import { ConformProbe } from './probe.js';

export type CheckOutcome = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  group: CheckGroup;
  section: string;
  clause: string;
  required: boolean;
  outcome: CheckOutcome;
  /** Why it failed or was skipped. */
  detail?: string;
  ms: number;
}

export interface ConformReport {
  device: string;
  results: CheckResult[];
  /** True when every required check passed (a skipped required check is not a pass). */
  conforms: boolean;
}

export interface ConformOptions {
  /** `tcp://HOST:PORT` or a serial path. */
  device: string;
  keys: KeySource;
  /** Default: every check (conform/checks/index.ts). */
  checks?: readonly ConformCheck[];
  connectTimeoutMs?: number;
  /** Called as each check ends (the CLI prints progress). */
  onResult?: (result: CheckResult) => void;
}

/** Rejects with TenkeyError CONNECTION when the keypad cannot be opened; every check's failure is in the report. */
export async function runConformance(options: ConformOptions): Promise<ConformReport> {
  const address = parseKeypadAddress(options.device);
  const transport = await openTransport(address, options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs });
  const probe = new ConformProbe(transport);
  let nextSession = (Date.now() & 0x7fff_0000) >>> 0 || 0x10000;
  const context: CheckContext = { probe, keys: options.keys, newSessionId: () => (nextSession = (nextSession + 1) >>> 0) };
  const results: CheckResult[] = [];
  try {
    for (const check of options.checks ?? CONFORM_CHECKS) {
      const { runFailure } = probe;
      const result = runFailure === undefined ? await runCheck(check, context) : notRun(check, runFailure);
      results.push(result);
      options.onResult?.(result);
      if (probe.runFailure === undefined) await settle(context);
    }
  } finally {
    await probe.close();
  }
  return { device: transport.description, results, conforms: results.every((r) => !r.required || r.outcome === 'pass') };
}

async function runCheck(check: ConformCheck, context: CheckContext): Promise<CheckResult> {
  const { id, group, section, clause, required } = check;
  const started = performance.now();
  const result = (outcome: CheckOutcome, detail?: string): CheckResult => ({
    id, group, section, clause, required, outcome, ...(detail === undefined ? {} : { detail }), ms: Math.round(performance.now() - started),
  });
  context.probe.beginCheck();
  if (check.idleWindowMs > context.keys.idleWindowMs) {
    return result('skip', `needs ${check.idleWindowMs} ms without keys after START_ENTRY; the key script types after ${context.keys.idleWindowMs} ms (start it with <wait:${check.idleWindowMs}>)`);
  }
  try {
    await check.run(context);
    return context.probe.failure === undefined ? result('pass') : result('fail', context.probe.failure);
  } catch (error) {
    // A flood or a keypad that stopped reading is why the check broke off, whatever step noticed it first.
    if (context.probe.failure !== undefined) return result('fail', context.probe.failure);
    if (error instanceof CheckSkipped) return result('skip', error.message);
    if (error instanceof CheckFailed) return result('fail', error.message);
    return result('fail', `the check itself failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A check after the keypad stopped reading: it fails without a byte sent. */
function notRun(check: ConformCheck, why: string): CheckResult {
  const { id, group, section, clause, required } = check;
  return { id, group, section, clause, required, outcome: 'fail', detail: `not run: ${why}`, ms: 0 };
}

/** RESET between checks: ends what a check left running; its answer comes after anything still queued (§6.2). */
async function settle(context: CheckContext): Promise<void> {
  try {
    const { mark } = await request(context, { type: 'RESET' });
    await requireMessage(context, mark, 'STATUS', 'STATUS IDLE', { match: (m) => m.state === 'IDLE' });
  } catch {
    // A keypad that does not answer RESET fails reset.idle; the next check runs anyway.
  }
}
