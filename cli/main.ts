import { Command, CommanderError } from 'commander';
import { registerSimCommand } from './commands/sim.js';
import { registerReadCommand } from './commands/read.js';
import { registerTapCommand } from './commands/tap.js';
import { registerDecodeCommand } from './commands/decode.js';
import { registerCaptureCommand } from './commands/capture.js';
import { registerReplayCommand } from './commands/replay.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerDemoCommand } from './commands/demo.js';

/** Builds the `tenkey` program. Each command lives in its own file under cli/commands/. */
export function buildProgram(): Command {
  const program = new Command('tenkey')
    .description('Toolkit for card-entry numeric keypads (テンキー): simulator, driver, capture and replay')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
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
  ]) {
    register(program);
  }
  return program;
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
      // --help and --version exit 0; usage errors already printed one line.
      return err.exitCode;
    }
    throw err;
  }
}
