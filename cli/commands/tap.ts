import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { startTap } from '../capture/tap.js';
import { DirectionFrameSplitter } from '../../protocol/capture/capture-frames.js';
import { formatFrameLine, formatLinkEventLine } from '../../protocol/capture/frame-listing.js';
import { reportCliError } from '../capture/cli-support.js';

interface TapFlags {
  device: string;
  output?: string;
  link?: string;
  baudRate: string;
  quiet?: boolean;
}

/**
 * `tenkey tap --device PATH|tcp://HOST:PORT [-o FILE]`: sits between a host and a keypad like interceptty.
 * The first stdout line is the PTY the host should open; then one decoded line per frame (unless --quiet).
 */
export function registerTapCommand(program: Command): void {
  program
    .command('tap')
    .description('record a host ↔ keypad session: expose a PTY for the host, forward to the real device')
    .requiredOption('--device <address>', 'the real keypad: serial port path or tcp://HOST:PORT')
    .option('-o, --output <file>', 'write the capture (JSON Lines) here')
    .option('--link <path>', 'stable symlink to the host-side PTY (kept across device unplug/replug)')
    .option('--baud-rate <n>', 'serial speed for a serial device', '115200')
    .option('-q, --quiet', 'print only the PTY path, no decoded frames')
    .addHelpText('after', `
Example:
  tenkey tap --device /dev/ttyUSB0 -o session.jsonl     # prints /dev/pts/N: point the host there
  tenkey decode session.jsonl
Stop with Ctrl-C (SIGINT) or SIGTERM: the capture is flushed and both ports are closed.`)
    .action(async (flags: TapFlags) => {
      try {
        const baudRate = Number(flags.baudRate);
        if (!Number.isInteger(baudRate) || baudRate <= 0) throw new TypeError(`--baud-rate must be a positive integer, not ${flags.baudRate}`);
        const output = flags.output === undefined ? undefined : createWriteStream(flags.output);
        const splitters = { h2d: new DirectionFrameSplitter('h2d'), d2h: new DirectionFrameSplitter('d2h') };
        const print = (line: string): void => {
          if (!flags.quiet) process.stdout.write(line + '\n');
        };
        const tap = await startTap({
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
        process.stdout.write(`${tap.address}\n`);
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            void tap.close().then(resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        process.exitCode = 0;
        // Everything is closed and flushed. serialport can leave a read pending in the thread pool on a device
        // that stays open, which would keep the process alive: this unref'd timer only fires if something does.
        setTimeout(() => process.exit(0), 500).unref();
      } catch (e) {
        reportCliError('tap', e);
      }
    });
}
