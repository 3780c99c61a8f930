/**
 * `tenkey read`: reads one card through the host driver. Progress (●●●●, never digits) on stderr,
 * a masked summary (or exactly one JSON object with --json) on stdout.
 */
import {
  isTenkeyCancelled, openTenkey, streamLogger, toTenkeyError, type CardReadResult, type EntryProgress,
  type TenkeyKeypad,
} from '../../host-driver/index.js';
import { printableDevice } from '../../host-driver/printable-device.js';
import { CountdownLine, waitsForKeys } from '../countdown-line.js';
import { cancelledJson, humanCancelled, humanError } from '../driver-output.js';
import { EXIT_CODES } from '../exit-codes.js';

export interface ReadCommandOptions {
  device: string;
  timeout: number;
  reveal: number;
  service?: string;
  expiry: boolean;
  json: boolean;
  verbose: boolean;
}

export async function runRead(options: ReadCommandOptions): Promise<number> {
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
    const outcome = toTenkeyError(e);
    // A cancel is not an error: its own object and exit code, never `{"error":…}`.
    if (isTenkeyCancelled(outcome)) {
      if (options.json) process.stdout.write(`${JSON.stringify(cancelledJson(outcome))}\n`);
      else process.stderr.write(humanCancelled(outcome));
      return EXIT_CODES.CANCELLED;
    }
    const error = outcome.toJSON();
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
  return { brand, last, keySerialNumber, encryptedBlock, sessionId, device: printableDevice(device) };
}

function humanSummary(card: CardReadResult): string {
  const device = printableDevice(card.device);
  return [
    `brand           ${card.brand}`,
    `card number     ${card.last ? `…${card.last}` : '(hidden)'}`,
    `KSN             ${card.keySerialNumber}`,
    `encrypted block ${card.encryptedBlock.length / 2} bytes: ${card.encryptedBlock}`,
    `session         ${card.sessionId}`,
    `keypad          ${device.model} ${device.firmwareVersion} #${device.serialNumber} (key set ${device.keySetId})`,
    '',
  ].join('\n');
}

const FIELD_LABELS = { NONE: '', PAN: 'card number', EXPIRY: 'expiry (MMYY)' } as const;

/**
 * Draws progress as ●●●● on stderr: on a terminal one status line, redrawn in place, whose seconds left count down
 * between the keypad's reports; otherwise a line per change (no seconds: piped output stays as it always was).
 */
function progressWriter(stream: NodeJS.WriteStream): { update: (p: EntryProgress) => void; end: () => void } {
  if (stream.isTTY) {
    const line = new CountdownLine({ stream, render: (p, secondsLeft) => `${progressText(p)}${waitsForKeys(p) ? `  (${secondsLeft}s left)` : ''}` });
    return { update: (p) => line.update(p), end: () => line.end() };
  }
  let lastLine = '';
  return {
    update(p) {
      const line = progressText(p);
      if (line === lastLine) return;
      lastLine = line;
      stream.write(`${line}\n`);
    },
    end() {},
  };
}

function progressText(p: EntryProgress): string {
  return p.field === 'NONE'
    ? p.state.toLowerCase()
    : `${FIELD_LABELS[p.field]} ${'●'.repeat(p.digits)}${p.notice !== 'NONE' ? `  (${p.notice.toLowerCase().replace(/_/g, ' ')})` : ''}`;
}
