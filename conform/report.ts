/** The conformance report as text (one line per clause, then a summary) and as JSON for CI. */
import type { CheckResult, ConformReport } from './runner.js';

const MARK = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

/** One line: outcome, section, clause; a failure or skip says why on the next line. */
export function formatCheckLine(result: CheckResult): string {
  const optional = result.required ? '' : ' (optional)';
  const line = `${MARK[result.outcome]}  ${result.section.padEnd(20)} ${result.clause}${optional}  [${result.id}]`;
  return result.detail === undefined ? line : `${line}\n      ${result.detail}`;
}

export function summaryLine(report: ConformReport): string {
  const count = (outcome: CheckResult['outcome']): number => report.results.filter((r) => r.outcome === outcome).length;
  const verdict = report.conforms ? 'conforms' : 'does NOT conform';
  return `${report.device} ${verdict}: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped of ${report.results.length} checks (PROTOCOL.md version 1)`;
}

export function formatReportText(report: ConformReport): string {
  return `${report.results.map(formatCheckLine).join('\n')}\n${summaryLine(report)}\n`;
}

export function formatReportJson(report: ConformReport): string {
  return `${JSON.stringify({ ...report, summary: summaryLine(report) }, null, 2)}\n`;
}
