/** What `tenkey tap` does (cli/verbs/tap.ts declares its options and loads this when it runs). */
import type { WriteStream } from 'node:fs';
import { open, stat, unlink, type FileHandle } from 'node:fs/promises';
import { startTap, type RunningTap } from '../capture/tap.js';
import { DirectionFrameSplitter } from '../../protocol/capture/capture-frames.js';
import { formatFrameLine, formatLinkEventLine } from '../../protocol/capture/frame-listing.js';
import { reportCliError } from '../capture/cli-support.js';
import { UsageError } from '../usage-error.js';

export interface TapFlags {
  device: string;
  output?: string;
  link?: string;
  baudRate: string;
  quiet?: boolean;
}

/** Runs the tap until SIGINT/SIGTERM; a tap that cannot start is one line on stderr and its exit code. */
export async function runTapCommand(flags: TapFlags): Promise<void> {
  try {
    await runTap(flags);
  } catch (e) {
    reportCliError('tap', e);
  }
}

/**
 * Opens the output file without truncating it, so a tap that cannot start (bad path, no device) reports one
 * line and loses nothing; it is emptied once the device is open. A file this call created is removed again
 * by `discard()`.
 */
async function openOutput(path: string): Promise<{ handle: FileHandle; discard(): Promise<void> }> {
  const existed = await stat(path).then(() => true, () => false);
  let handle: FileHandle;
  try {
    handle = await open(path, 'a');
  } catch (e) {
    throw new UsageError(`cannot write the capture to ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return {
    handle,
    async discard() {
      await handle.close().catch(() => undefined);
      if (!existed) await unlink(path).catch(() => undefined);
    },
  };
}

async function runTap(flags: TapFlags): Promise<void> {
  const baudRate = Number(flags.baudRate);
  if (!Number.isInteger(baudRate) || baudRate <= 0) throw new UsageError(`--baud-rate must be a positive integer, not ${flags.baudRate}`);
  const file = flags.output === undefined ? undefined : await openOutput(flags.output);
  const splitters = { h2d: new DirectionFrameSplitter('h2d'), d2h: new DirectionFrameSplitter('d2h') };
  const print = (line: string): void => {
    if (!flags.quiet) process.stdout.write(line + '\n');
  };
  let stop: ((failure?: string) => void) | undefined;
  let failedEarly: string | undefined;
  let tap: RunningTap;
  let output: WriteStream | undefined;
  try {
    if (file) {
      output = file.handle.createWriteStream();
      // Held back until the device is open and the old content is gone (see openOutput).
      output.cork();
      output.on('error', (e: NodeJS.ErrnoException) => {
        const failure = `writing the capture to ${flags.output} failed: ${e.code ?? e.message}`;
        if (stop) stop(failure);
        else failedEarly ??= failure;
      });
    }
    tap = await startTap({
      device: flags.device,
      baudRate,
      tool: 'tenkey tap 0.1.0',
      ...(output ? { output } : {}),
      ...(flags.link !== undefined ? { link: flags.link } : {}),
      onChunk: (dir, bytes, t) => {
        for (const frame of splitters[dir].push(bytes, t)) print(formatFrameLine(frame));
      },
      onLinkEvent: (event, side, t) => {
        print(formatLinkEventLine({ event, side, t }));
        if (event === 'open') process.stdout.write(`${tap.address}\n`);
      },
      onWarning: (message) => process.stderr.write(`tenkey tap: ${message}\n`),
    });
    if (file && output) {
      // A regular file is emptied; a device or FIFO (/dev/stdout, a pipe) cannot be and need not be.
      try {
        if ((await file.handle.stat()).isFile()) await file.handle.truncate(0);
      } catch (e) {
        await tap.close();
        throw e;
      }
      output.uncork();
    }
  } catch (e) {
    output?.destroy();
    await file?.discard();
    throw e;
  }
  process.stdout.write(`${tap.address}\n`);
  // Runs until SIGINT/SIGTERM (or the capture cannot be written). While the device is away, the tap's ref'd
  // reopen timer keeps the process alive; once closed, nothing is left and the process ends by itself.
  const failure = await new Promise<string | undefined>((resolve) => {
    const onSignal = (): void => finish();
    const finish = (reason?: string): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stop = () => undefined;
      void tap.close().then(() => resolve(reason));
    };
    stop = finish;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (failedEarly !== undefined) finish(failedEarly);
  });
  if (failure !== undefined) {
    process.stderr.write(`tenkey tap: ${failure}\n`);
    process.exitCode = 1;
    return;
  }
  process.exitCode = 0;
}
