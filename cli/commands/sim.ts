/**
 * `tenkey sim`: a virtual keypad on a PTY or TCP. The first line of stdout is the address it serves on (so scripts
 * can read it); it serves until SIGINT/SIGTERM (exit 0). On a TTY without --keys/--script the PC keyboard is the
 * keypad, with a small live display redrawn on stderr.
 */
import { DEFAULT_TCP_PORT } from '../../protocol/constants.js';
import { isValidCounter, MAX_COUNTER } from '../../device-sim/crypto/aes-dukpt.js';
import { TerminalDisplay } from '../../device-sim/display.js';
import { parseFaultSpec } from '../../device-sim/faults/fault-spec.js';
import { parseListen, startSimulator, type RunningSimulator, type SimulatorOptions } from '../../device-sim/keypad-server.js';
import { findKeypadService } from '../../device-sim/services.js';
import { attachTerminalKeys } from '../../device-sim/terminal-input.js';
import type { SessionEnd } from '../../device-sim/virtual-keypad.js';
import { NativeAddonMissingError } from '../../device-sim/transport/native-pty.js';
import { keypadStateFile } from '../state-dir.js';
import { formatHostViolation, formatUnkeptViolations, HostConductObserver } from '../../device-sim/strict/host-conduct.js';
import { NONCONFORMING_EXIT_CODE } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';
import { keyScriptOf } from '../key-script-option.js';

export interface SimCommandOptions {
  listen?: string;
  link?: string;
  keys?: string;
  script?: string;
  fault?: string;
  service?: string;
  keyCounter?: string;
  state?: string;
  /** Commander's value for --no-merge-key-reports: false when given. */
  mergeKeyReports: boolean;
  strict?: boolean;
}


export async function runSim(options: SimCommandOptions): Promise<number> {
  let simOptions: SimulatorOptions;
  try {
    simOptions = await toSimulatorOptions(options);
  } catch (error) {
    process.stderr.write(`tenkey sim: ${messageOf(error)}\n`);
    return 2;
  }
  let sim: RunningSimulator;
  try {
    sim = await startSimulator(simOptions);
  } catch (error) {
    // No PTY addon for this platform: one line that offers the transport that needs none.
    const hint = error instanceof NativeAddonMissingError ? `; serve over TCP instead: --listen tcp://127.0.0.1:${DEFAULT_TCP_PORT}` : '';
    process.stderr.write(`tenkey sim: cannot start: ${messageOf(error)}${hint}\n`);
    return 1;
  }
  process.stdout.write(`${sim.address}\n`);
  // A host that would cost unbounded memory, or sat silent on the TCP slot, is dropped: say so (PROTOCOL.md §6.4).
  sim.keypad.on('host-dropped', (error) => process.stderr.write(`tenkey sim: host dropped (${error.code}): ${error.message}\n`));
  const strict = options.strict === true
    ? new HostConductObserver(sim.keypad, { onViolation: (v) => process.stderr.write(`tenkey sim: ${formatHostViolation(v)}\n`) })
    : undefined;

  const interactive = process.stdin.isTTY === true && simOptions.keys === undefined;
  let restoreKeyboard: (() => void) | undefined;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (interactive) restoreKeyboard = attachKeyboard(sim, stop);
  else sim.keypad.on('session-end', (end) => process.stderr.write(`tenkey sim: ${describeEnd(end)}\n`));
  await stopped;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  restoreKeyboard?.();
  strict?.close();
  await sim.close();
  if (strict === undefined) return 0;
  const more = formatUnkeptViolations(strict);
  if (more !== undefined) process.stderr.write(`tenkey sim: ${more}\n`);
  const count = strict.total;
  process.stderr.write(`tenkey sim: ${count} host violation${count === 1 ? '' : 's'} of PROTOCOL.md\n`);
  return count === 0 ? 0 : NONCONFORMING_EXIT_CODE;
}

/** The keyboard as the keypad plus the live display (masked: ● for digits); returns what undoes both. */
export function attachKeyboard(sim: RunningSimulator, quit: () => void): () => void {
  const display = new TerminalDisplay(process.stderr);
  const redraw = (): void => display.draw(sim.keypad.display());
  sim.keypad.on('display', redraw);
  // The countdown moves without events.
  const ticker = setInterval(redraw, 1000);
  redraw();
  const detach = attachTerminalKeys(process.stdin, (command) => {
    if (command.kind === 'quit') quit();
    else sim.keypad.press(command.key);
  });
  return () => {
    clearInterval(ticker);
    sim.keypad.off('display', redraw);
    detach();
    display.erase();
  };
}

async function toSimulatorOptions(options: SimCommandOptions): Promise<SimulatorOptions> {
  const simOptions: SimulatorOptions = {};
  if (options.listen !== undefined) {
    const listen = options.listen.trim();
    if (listen !== 'pty' && !/^tcp:\/\//i.test(listen)) {
      throw new UsageError(`--listen must be "pty" or tcp://HOST:PORT, got "${options.listen}"`);
    }
    // A bad host or port is the user's typo too (exit 2), not a failure to start.
    try {
      parseListen(listen);
    } catch (error) {
      throw new UsageError(`--listen: ${messageOf(error)}`);
    }
    simOptions.listen = listen as SimulatorOptions['listen'];
  }
  if (options.link !== undefined) {
    if (simOptions.listen !== undefined && simOptions.listen !== 'pty') throw new UsageError('--link is for a PTY keypad only');
    simOptions.link = options.link;
  }
  const keys = await keyScriptOf(options);
  if (keys !== undefined) simOptions.keys = keys;
  if (options.fault !== undefined) simOptions.faults = parseFaultSpec(options.fault);
  if (options.service !== undefined) simOptions.service = findKeypadService(options.service).id;
  if (options.keyCounter !== undefined) {
    const counter = /^\d+$/.test(options.keyCounter.trim()) ? Number(options.keyCounter.trim()) : NaN;
    if (!isValidCounter(counter)) {
      throw new UsageError(`--key-counter must be a DUKPT counter: 1-${MAX_COUNTER} with at most 16 one-bits, got "${options.keyCounter}"`);
    }
    simOptions.keyCounter = counter;
  }
  if (options.mergeKeyReports === false) simOptions.mergeKeyReports = false;
  simOptions.counterFile = options.state ?? keypadStateFile();
  return simOptions;
}

function describeEnd(end: SessionEnd): string {
  const what = end.error === null ? end.outcome : `${end.outcome} (${end.error})`;
  return `session ${end.sessionId}: ${what}${end.brand === null ? '' : `, brand ${end.brand}`}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
