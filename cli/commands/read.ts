/**
 * `tenkey read`: reads one card through the host driver. Progress (●●●●, never digits) on stderr,
 * a masked summary (or exactly one JSON object with --json) on stdout.
 */
import { InvalidArgumentError, type Command } from 'commander';
import {
  DEFAULT_DEVICE_ADDRESS, openTenkey, streamLogger, toTenkeyError, type CardReadResult, type EntryProgress,
  type TenkeyErrorJson, type TenkeyKeypad, type TenkeyOutcome,
} from '../../host-driver/index.js';
import { ENTRY_SESSION_CAP_S, MAX_REVEAL_DIGITS } from '../../protocol/index.js';

/**
 * Exit codes of `tenkey read` and `tenkey doctor`: one per store error, and one for cancellation
 * (which is not an error: the person pressed cancel, or Ctrl-C here).
 */
export const EXIT_CODES: Readonly<Record<'OK' | 'USAGE' | TenkeyOutcome, number>> = {
  OK: 0,
  USAGE: 2,
  CARD_SERVICE: 3,
  CONNECTION: 4,
  ENTRY_TIMEOUT: 5,
  TEMPORARY: 6,
  CANCELLED: 7,
};

/** commander argument parser for an integer in [min, max]: a bad value is one clear line and exit 2. */
export function integerIn(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) {
      const error = new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
      error.exitCode = EXIT_CODES.USAGE;
      throw error;
    }
    return n;
  };
}

interface ReadCommandOptions {
  device: string;
  timeout: number;
  reveal: number;
  service?: string;
  expiry: boolean;
  json: boolean;
  verbose: boolean;
}

export function registerReadCommand(program: Command): void {
  program
    .command('read')
    .description('read one card from the keypad: prints brand, last digits, KSN and the encrypted block (never the number)')
    .option('-d, --device <address>', 'serial path (/dev/ttyUSB0, a PTY) or tcp://HOST:PORT', DEFAULT_DEVICE_ADDRESS)
    .option('-t, --timeout <seconds>', `keypad inactivity timeout, 1–${ENTRY_SESSION_CAP_S}`, integerIn('--timeout', 1, ENTRY_SESSION_CAP_S), 60)
    .option('-r, --reveal <n>', `last PAN digits to reveal, 0–${MAX_REVEAL_DIGITS}`, integerIn('--reveal', 0, MAX_REVEAL_DIGITS), 3)
    .option('-s, --service <name>', '利用サービス: card service id (decides accepted brands)')
    .option('--no-expiry', 'do not ask for the expiry date')
    .option('--json', 'print exactly one JSON object on stdout', false)
    .option('-v, --verbose', 'driver log lines on stderr', false)
    .addHelpText('after', `\nExit codes: ${Object.entries(EXIT_CODES).map(([k, v]) => `${v} ${k}`).join(', ')}.`)
    .action(async (options: ReadCommandOptions) => {
      process.exitCode = await runRead(options);
    });
}

async function runRead(options: ReadCommandOptions): Promise<number> {
  const progress = progressWriter(process.stderr);
  let keypad: TenkeyKeypad | undefined;
  // Ctrl-C is the CLI's キャンセル button: cancel the entry, then exit with CANCELLED.
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    keypad = await openTenkey({
      device: options.device,
      ...(options.service !== undefined ? { service: options.service } : {}),
      ...(options.verbose ? { logger: streamLogger((line) => process.stderr.write(line), 'debug') } : {}),
      // One read: a lost keypad should fail this command, not wait for it to come back.
      reconnect: false,
    });
    if (!options.json) process.stderr.write(`keypad ${keypad.device.model} (${keypad.device.address}): enter the card on the keypad\n`);
    if (!options.json) keypad.on('progress', progress.update);
    const card = await keypad.readCard({
      timeoutSeconds: options.timeout,
      reveal: options.reveal,
      expiryRequired: options.expiry,
      signal: abort.signal,
    });
    progress.end();
    process.stdout.write(options.json ? `${JSON.stringify(cardJson(card))}\n` : humanSummary(card));
    return EXIT_CODES.OK;
  } catch (e) {
    progress.end();
    const error = toTenkeyError(e).toJSON();
    if (options.json) process.stdout.write(`${JSON.stringify({ error })}\n`);
    else process.stderr.write(humanError(error));
    return EXIT_CODES[error.code];
  } finally {
    process.off('SIGINT', onSigint);
    await keypad?.close();
  }
}

/** The --json success object: exactly the driver's result, field order fixed. */
function cardJson(card: CardReadResult): CardReadResult {
  const { brand, last, keySerialNumber, encryptedBlock, sessionId, device } = card;
  return { brand, last, keySerialNumber, encryptedBlock, sessionId, device };
}

function humanSummary(card: CardReadResult): string {
  return [
    `brand           ${card.brand}`,
    `card number     ${card.last ? `…${card.last}` : '(hidden)'}`,
    `KSN             ${card.keySerialNumber}`,
    `encrypted block ${card.encryptedBlock.length / 2} bytes: ${card.encryptedBlock}`,
    `session         ${card.sessionId}`,
    `keypad          ${card.device.model} ${card.device.firmwareVersion} #${card.device.serialNumber} (key set ${card.device.keySetId})`,
    '',
  ].join('\n');
}

export function humanError(error: TenkeyErrorJson): string {
  return `${error.messageJa}\n${error.message} [${error.code}: ${error.cause}${error.detail ? ` — ${error.detail}` : ''}]\n`;
}

const FIELD_LABELS = { NONE: '', PAN: 'card number', EXPIRY: 'expiry (MMYY)' } as const;

/** Draws progress as ●●●● on stderr: one rewritten line on a terminal, a line per change otherwise. */
function progressWriter(stream: NodeJS.WriteStream): { update: (p: EntryProgress) => void; end: () => void } {
  let lastLine = '';
  let open = false;
  return {
    update(p) {
      const line = p.field === 'NONE'
        ? p.state.toLowerCase()
        : `${FIELD_LABELS[p.field]} ${'●'.repeat(p.digits)}${p.notice !== 'NONE' ? `  (${p.notice.toLowerCase().replace(/_/g, ' ')})` : ''}`;
      if (line === lastLine) return;
      lastLine = line;
      if (stream.isTTY) {
        stream.write(`\r\x1b[K${line}`);
        open = true;
      } else {
        stream.write(`${line}\n`);
      }
    },
    end() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}
