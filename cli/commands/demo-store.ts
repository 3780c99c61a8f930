/**
 * `tenkey demo-store`: the reference admin store (Japanese UI) with the payment stand-ins. Prints its URL as the
 * first line of stdout and serves until SIGINT/SIGTERM (exit 0). With --with-keypad it also runs a virtual keypad
 * on a PTY (the PC keyboard types on it when stdin is a TTY) and a bridge at the settings' default address that
 * lets the store's pages in: one command, the whole chain to click through.
 */
import type { Command } from 'commander';
import { BridgeOptionsError, parseListenAddress, startBridge, type RunningBridge } from '../../bridge/index.js';
import { DEFAULT_STORE_HOST, DEFAULT_STORE_PORT, DEFAULT_STORE_SETTINGS, startDemoStore, type RunningDemoStore } from '../../demo-store/index.js';
import { startSimulator, type RunningSimulator } from '../../device-sim/index.js';
import { attachTerminalKeys } from '../../device-sim/terminal-input.js';
import { USAGE_EXIT_CODE } from '../usage-error.js';

interface DemoStoreCommandOptions {
  listen: string;
  withKeypad: boolean;
}

export function registerDemoStoreCommand(program: Command): void {
  program
    .command('demo-store')
    .description('serve the reference admin store (Japanese UI, mock token and 与信 services); prints its URL as the first line of stdout')
    .option('--listen <host:port>', 'address to serve the store on (port 0 = any free port)', `${DEFAULT_STORE_HOST}:${DEFAULT_STORE_PORT}`)
    .option('--with-keypad', `also run a virtual keypad (TEST keys only) on a PTY and a bridge on ${DEFAULT_STORE_SETTINGS.bridgeHost}:${DEFAULT_STORE_SETTINGS.bridgePort} for the store`, false)
    .addHelpText('after', '\nWithout --with-keypad, run `tenkey bridge --allow-origin <store URL>` beside a keypad yourself.\nThe card numbers that work, are declined or make the card service unavailable are listed in the README.')
    .action(async (options: DemoStoreCommandOptions) => {
      process.exitCode = await runDemoStore(options);
    });
}

/** The origins a browser may send for `url`: on loopback, 127.0.0.1 and localhost are the same store. */
function originsOf(url: string): string[] {
  const { port, hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' ? [`http://127.0.0.1:${port}`, `http://localhost:${port}`] : [url];
}

async function runDemoStore(options: DemoStoreCommandOptions): Promise<number> {
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  let listen: { host: string; port: number };
  try {
    listen = parseListenAddress(options.listen);
  } catch (error) {
    if (!(error instanceof BridgeOptionsError)) throw error;
    err(`tenkey demo-store: --listen: ${error.message}`);
    return USAGE_EXIT_CODE;
  }
  let store: RunningDemoStore | undefined;
  let sim: RunningSimulator | undefined;
  let bridge: RunningBridge | undefined;
  let detachKeys: (() => void) | undefined;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  try {
    store = await startDemoStore({ host: listen.host, port: listen.port, log: (line) => err(`store: ${line}`) });
    process.stdout.write(`${store.url}/\n`);
    if (options.withKeypad) {
      sim = await startSimulator({ listen: 'pty' });
      const { bridgeHost, bridgePort } = store.settings;
      bridge = await startBridge({
        device: sim.address,
        listen: `${bridgeHost}:${bridgePort}`,
        allowOrigins: originsOf(store.url),
        onRequest: (entry) => err(`bridge: ${entry.method} ${entry.path} ${entry.status} ${Math.round(entry.durationMs)}ms`),
      });
      err(`tenkey demo-store: virtual keypad (TEST keys only) on ${sim.address}, bridge on ${bridge.url}`);
      if (process.stdin.isTTY === true) {
        const keypad = sim;
        detachKeys = attachTerminalKeys(process.stdin, (command) => {
          if (command.kind === 'quit') stop();
          else keypad.keypad.press(command.key);
        });
        err('when the popup asks for the card, type it here: digits, Enter, expiry MMYY, Enter (Backspace, c = clear, Esc = cancel, Ctrl-C = quit)');
      } else {
        err('stdin is not a terminal: nothing types on the virtual keypad (run it in a terminal to type the card there)');
      }
    }
    err(`tenkey demo-store: open ${store.url}/ in a browser (Ctrl-C stops)`);
  } catch (error) {
    err(`tenkey demo-store: cannot start: ${error instanceof Error ? error.message : String(error)}`);
    await bridge?.close();
    await sim?.close();
    await store?.close();
    return 1;
  }
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await stopped;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  detachKeys?.();
  await bridge?.close();
  await sim?.close();
  await store.close();
  return 0;
}
