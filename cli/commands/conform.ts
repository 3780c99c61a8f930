/**
 * `tenkey conform --device ADDR`: runs PROTOCOL.md's device requirements against a keypad and prints pass/fail per
 * clause with its section, then a summary line. Keys come from the operator (prompts on stderr) or, for a keypad
 * that types a key script at each START_ENTRY by itself (`tenkey sim --keys SCRIPT`), from that same script.
 */
import { formatCheckLine, formatReportJson, summaryLine } from '../../conform/report.js';
import { operatorKeys, selfTypingKeys, type KeySource } from '../../conform/key-source.js';
import { runConformance } from '../../conform/runner.js';
import { toTenkeyError } from '../../host-driver/index.js';
import { humanError } from '../driver-output.js';
import { EXIT_CODES, NONCONFORMING_EXIT_CODE } from '../exit-codes.js';

export interface ConformCommandOptions {
  device: string;
  keys?: string;
  json: boolean;
}

export async function runConform(options: ConformCommandOptions): Promise<number> {
  let keys: KeySource;
  try {
    keys = options.keys === undefined ? operatorKeys(process.stderr) : selfTypingKeys(options.keys);
  } catch (error) {
    process.stderr.write(`tenkey conform: --keys: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_CODES.USAGE;
  }
  if (options.keys === undefined) keys.notice('checks that need keys will ask here; do not touch the keypad until asked');
  try {
    const report = await runConformance({
      device: options.device,
      keys,
      onResult: (result) => { if (!options.json) process.stdout.write(`${formatCheckLine(result)}\n`); },
    });
    process.stdout.write(options.json ? formatReportJson(report) : `${summaryLine(report)}\n`);
    return report.conforms ? EXIT_CODES.OK : NONCONFORMING_EXIT_CODE;
  } catch (error) {
    const tenkeyError = toTenkeyError(error);
    process.stderr.write(`tenkey conform: ${humanError(tenkeyError.toJSON())}\n`);
    return EXIT_CODES[tenkeyError.code];
  }
}
