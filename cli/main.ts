import { Command, CommanderError } from 'commander';
import { registerSimCommand } from './verbs/sim.js';
import { registerReadCommand } from './verbs/read.js';
import { registerTapCommand } from './verbs/tap.js';
import { registerDecodeCommand } from './verbs/decode.js';
import { registerCaptureCommand } from './verbs/capture.js';
import { registerReplayCommand } from './verbs/replay.js';
import { registerDoctorCommand } from './verbs/doctor.js';
import { registerDemoCommand } from './verbs/demo.js';
import { registerBridgeCommand } from './verbs/bridge.js';
import { registerDemoStoreCommand } from './verbs/demo-store.js';
import { printableText } from '../protocol/printable-text.js';
import { registerConformCommand } from './verbs/conform.js';
import { MAX_CLI_ERROR, USAGE_EXIT_CODE } from './usage-error.js';

/**
 * Builds the `tenkey` program. Each verb is declared (name, options, help) in cli/verbs/ and does its work in
 * cli/commands/, which its action imports when it runs: `tenkey --help` and one verb load only what they use.
 */
export function buildProgram(): Command {
  const program = new Command('tenkey')
    .description('Toolkit for card-entry numeric keypads (テンキー): simulator, driver, capture and replay')
    .version('0.1.0')
    .exitOverride();
  for (const register of [
    registerSimCommand,
    registerReadCommand,
    registerTapCommand,
    registerDecodeCommand,
    registerCaptureCommand,
    registerReplayCommand,
    registerDoctorCommand,
    registerDemoCommand,
    registerBridgeCommand,
    registerDemoStoreCommand,
    registerConformCommand,
  ]) {
    register(program);
  }
  oneLineUsageErrors(program);
  return program;
}

/** `tenkey replay` for the replay command: the words a user types to reach `command`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Every usage error commander finds (unknown option, missing argument, bad option value) is one line naming
 * where help is, e.g. `tenkey: error: unknown option '--x' (see tenkey replay --help)`.
 */
function oneLineUsageErrors(command: Command): void {
  command.configureOutput({
    // Commander quotes what was typed (an unknown option, a bad value): printable, digit runs masked, like every other line.
    outputError: (text, write) => write(`tenkey: ${printableText(text.trim().replace(/\s*\n\s*/g, ' '), MAX_CLI_ERROR)} (see ${commandPath(command)} --help)\n`),
  });
  for (const sub of command.commands) oneLineUsageErrors(sub);
}

/**
 * Runs the CLI and resolves to the exit code. Commands set `process.exitCode` themselves when they
 * serve until killed; a returned code wins otherwise.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; a usage error already printed its one line and exits 2, whatever the command.
      return err.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    }
    throw err;
  }
}
