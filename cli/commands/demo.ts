/**
 * `tenkey demo` (what `npm start` runs): the whole chain on one machine — a virtual keypad on a real PTY,
 * the host driver reading one card from it with live masked progress, then the mock card service's 与信
 * on the ciphertext. Interactive on a TTY (the PC keyboard is the keypad); scripted with a TEST card otherwise.
 */
import { KeyScriptError, parseKeyScript, startSimulator, type RunningSimulator } from '../../device-sim/index.js';
import { CounterFileError } from '../../device-sim/firmware/counter-file.js';
import { attachTerminalKeys } from '../../device-sim/terminal-input.js';
import { createTestPaymentServices } from '../../payment-sim/index.js';
import { openTenkey, isTenkeyCancelled, toTenkeyError, type TenkeyKeypad, type EntryProgress } from '../../host-driver/index.js';
import { printableDevice } from '../../host-driver/printable-device.js';
import { CountdownLine } from '../countdown-line.js';
import { humanError } from '../driver-output.js';
import { EXIT_CODES } from '../exit-codes.js';
import { keypadStateFile } from '../state-dir.js';

/** Typed at a person's pace so the progress is visible. */
function paced(digits: string): string {
  return digits.split('').join('<wait:60>');
}

/** A well-known TEST Visa number (never a real card), expiry 12/30. */
const DEMO_SCRIPT = `${paced('4111111111111111')}<wait:200><enter><wait:300>${paced('1230')}<wait:200><enter>`;

export interface DemoOptions {
  keys?: string;
  interactive: boolean;
  timeout: number;
}

/** `secondsLeft`: counted down to now on a terminal, the keypad's last figure otherwise. */
function progressLine(p: EntryProgress, secondsLeft = p.secondsLeft): string {
  const dots = '●'.repeat(p.digits);
  switch (p.state) {
    case 'PAN':
      return `  card number  ${dots.replace(/(.{4})(?=.)/gu, '$1 ') || '-'}   (${secondsLeft}s left)${p.notice !== 'NONE' ? `  ⚠ ${p.notice}` : ''}`;
    case 'EXPIRY':
      return `  expiry MMYY  ${dots || '-'}   (${secondsLeft}s left)${p.notice !== 'NONE' ? `  ⚠ ${p.notice}` : ''}`;
    default:
      return `  ${p.state.toLowerCase()}`;
  }
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const interactive = options.interactive && options.keys === undefined && process.stdin.isTTY === true;
  const timeoutSeconds = options.timeout;
  // A bad script is the user's typo: say where, before a keypad or a driver exists. The script itself is not
  // echoed (it may hold a card number, even if only a TEST one).
  if (options.keys !== undefined) {
    try {
      parseKeyScript(options.keys);
    } catch (err) {
      if (!(err instanceof KeyScriptError)) throw err;
      process.stderr.write(`tenkey demo: --keys: ${err.message}\n`);
      return EXIT_CODES.USAGE;
    }
  }
  // On a terminal a state's line is redrawn in place as keys arrive and each second as its countdown moves;
  // piped output gets one line per change.
  const redraw = process.stdout.isTTY === true;
  const statusLine = redraw
    ? new CountdownLine({ stream: process.stdout, render: progressLine, startsNewLine: (previous, next) => next.state !== previous.state })
    : undefined;
  let sim: RunningSimulator | undefined;
  let keypad: TenkeyKeypad | undefined;
  let detachKeys: (() => void) | undefined;
  try {
    try {
      sim = await startSimulator({ listen: 'pty', counterFile: keypadStateFile(), ...(interactive ? {} : { keys: options.keys ?? DEMO_SCRIPT }) });
    } catch (error) {
      // The keypad's state file is in use or cannot be trusted: one line, as `tenkey sim` says it.
      if (!(error instanceof CounterFileError)) throw error;
      process.stderr.write(`tenkey demo: cannot start: ${error.message}\n`);
      return 1;
    }
    out(`tenkey demo: a virtual keypad (TEST keys only) on ${sim.address}`);
    keypad = await openTenkey({ device: sim.address });
    const info = printableDevice(keypad.device);
    out(`driver connected: ${info.model} firmware ${info.firmwareVersion}, serial ${info.serialNumber}, key set ${info.keySetId}`);
    out(interactive
      ? 'type the card number on your keyboard, Enter, then the expiry as MMYY, Enter (Backspace, c = clear, Esc = cancel)'
      : options.keys !== undefined ? 'the virtual keypad types your --keys script' : 'the virtual keypad types a TEST Visa card by script');
    let last = '';
    keypad.on('progress', (p) => {
      if (statusLine !== undefined) return statusLine.update(p);
      const line = progressLine(p);
      if (line === last) return;
      out(line);
      last = line;
    });
    if (interactive) {
      const simulator = sim;
      detachKeys = attachTerminalKeys(process.stdin, (command) => {
        if (command.kind === 'quit') void keypad?.cancel();
        else simulator.keypad.press(command.key);
      });
    }
    const result = await keypad.readCard({ timeoutSeconds, reveal: 3 });
    detachKeys?.();
    detachKeys = undefined;
    statusLine?.end();
    out('');
    out(`card read: ${result.brand}, last digits ${result.last} (shown as ●●●● … ${result.last})`);
    out(`  key serial number  ${result.keySerialNumber}`);
    out(`  encrypted block    ${result.encryptedBlock.slice(0, 32)}… (${result.encryptedBlock.length / 2} bytes)`);
    out('  the store PC saw only the above: no card number, no expiry (カード情報非保持化)');
    // The card service side (mocked here: the card networks cannot exist in a demo) holds the BDK.
    const { tokens, authorizations } = createTestPaymentServices();
    const card = tokens.tokenize({ keySerialNumber: result.keySerialNumber, encryptedBlock: result.encryptedBlock });
    out(`token service (TEST-ONLY BDK): one-time token ${card.token}, ${card.brand} 下3桁 ${card.last3}`);
    const auth = authorizations.authorize(card.token, { amount: 1000 });
    out(`与信 at the mock card service: ${auth.outcome === 'declined' ? `declined (${auth.reason})` : auth.outcome}`);
    return 0;
  } catch (err) {
    if (isTenkeyCancelled(err)) {
      statusLine?.end();
      out('entry cancelled (キャンセル)');
      return 0;
    }
    const e = toTenkeyError(err);
    statusLine?.end(); // end the progress line being redrawn
    // The store's words, then code, cause and detail: enough to tell a wrong setting from a failed device.
    process.stderr.write(humanError(e.toJSON()));
    return EXIT_CODES[e.code];
  } finally {
    statusLine?.end();
    detachKeys?.();
    await keypad?.close();
    await sim?.close();
  }
}
