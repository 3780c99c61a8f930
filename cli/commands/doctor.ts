/**
 * `tenkey doctor`: checks the settings, opens the keypad, measures a PING round trip and prints the
 * device's INFO, then a verdict in the store's words (one of the four messages, or OK).
 */
import {
  findCardService, openTenkey, streamLogger, toTenkeyError, type DeviceInfo, type TenkeyErrorJson,
  type TenkeyKeypad,
} from '../../host-driver/index.js';
import { printableDevice } from '../../host-driver/printable-device.js';
import { humanError } from '../driver-output.js';
import { printableText } from '../../protocol/printable-text.js';
import { EXIT_CODES } from '../exit-codes.js';
import { MAX_CLI_ERROR } from '../usage-error.js';

export interface DoctorCommandOptions {
  device: string;
  service?: string;
  enabled: boolean;
  json: boolean;
  verbose: boolean;
}

/** One line of the report. */
interface DoctorCheck {
  name: 'settings' | 'connect' | 'ping' | 'device' | 'service';
  ok: boolean;
  text: string;
}

export interface DoctorReport {
  verdict: 'OK' | TenkeyErrorJson['code'];
  checks: DoctorCheck[];
  roundTripMs?: number;
  device?: DeviceInfo;
  error?: TenkeyErrorJson;
}

/** Runs the checks, prints the report (one JSON object with --json) and resolves to the exit code of its verdict. */
export async function printDoctorReport(options: DoctorCommandOptions): Promise<number> {
  const report = await runDoctor(options);
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : humanReport(report));
  return report.verdict === 'OK' ? EXIT_CODES.OK : EXIT_CODES[report.verdict];
}

/** Causes that are the settings' fault (the store's 設定), not the cable's. */
const SETTINGS_CAUSES: ReadonlySet<string> = new Set(['DISABLED', 'UNKNOWN_SERVICE', 'BAD_ADDRESS']);

export async function runDoctor(options: DoctorCommandOptions): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  // The settings as typed are echoed: printable and redacted like every line (a mistyped service may hold anything).
  const settings = printableText(`device ${options.device}, service ${options.service ?? '(keypad default)'}, keypad input ${options.enabled ? 'ON' : 'OFF'}`, MAX_CLI_ERROR);
  let stage: 'connect' | 'ping' = 'connect';
  const fail = (e: unknown): DoctorReport => {
    const error = toTenkeyError(e).toJSON();
    const why = `${error.cause}${error.detail ? `: ${error.detail}` : ''}`;
    if (SETTINGS_CAUSES.has(error.cause)) checks.push({ name: 'settings', ok: false, text: `${settings} — ${why}` });
    else checks.push({ name: 'settings', ok: true, text: settings }, { name: stage, ok: false, text: why });
    return { verdict: error.code, checks, error };
  };
  let keypad: TenkeyKeypad | undefined;
  try {
    const started = Date.now();
    keypad = await openTenkey({
      device: options.device,
      enabled: options.enabled,
      ...(options.service !== undefined ? { service: options.service } : {}),
      ...(options.verbose ? { logger: streamLogger((line) => process.stderr.write(line), 'debug') } : {}),
      reconnect: false,
    });
    const device = printableDevice(keypad.device);
    checks.push({ name: 'settings', ok: true, text: settings });
    stage = 'ping';
    checks.push({ name: 'connect', ok: true, text: `port open, HELLO answered in ${Date.now() - started} ms (protocol v${device.protocolVersion})` });
    const roundTripMs = await keypad.ping();
    checks.push({ name: 'ping', ok: true, text: `PING round trip ${roundTripMs} ms` });
    checks.push({
      name: 'device',
      ok: true,
      text: `${device.model}, firmware ${device.firmwareVersion}, serial ${device.serialNumber}, key set ${device.keySetId}, brands ${device.acceptedBrands.join(' ') || '(none)'}`,
    });
    const service = options.service !== undefined ? findCardService(options.service) : undefined;
    if (service && service.brands !== 'all') {
      const missing = service.brands.filter((b) => !device.acceptedBrands.includes(b));
      checks.push({
        name: 'service',
        ok: true,
        text: missing.length === 0
          ? `${service.nameJa}: every brand it accepts is enabled on the keypad`
          : `${service.nameJa}: the keypad refuses ${missing.join(' ')} (its own setting)`,
      });
    }
    return { verdict: 'OK', checks, roundTripMs, device };
  } catch (e) {
    return fail(e);
  } finally {
    await keypad?.close();
  }
}

function humanReport(report: DoctorReport): string {
  const lines = report.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name.padEnd(8)} ${c.text}`);
  if (report.error) lines.push(`✗ verdict  ${humanError(report.error).trimEnd()}`);
  else lines.push('✓ verdict  OK');
  return `${lines.join('\n')}\n`;
}
