/**
 * `tenkey demo-store`: the reference admin store (Japanese UI) with the payment stand-ins. Prints its URL as the
 * first line of stdout once everything it runs has started, and serves until SIGINT/SIGTERM (exit 0). With
 * --with-keypad it also runs a virtual keypad on a PTY (the PC keyboard types on it when stdin is a TTY, with
 * the keypad's masked display on stderr; or --keys/--script types a key script each time an entry opens, as
 * `tenkey sim` does) and a bridge at --bridge-listen that lets the store's pages in: one command, the whole
 * chain to click through. --bridge-listen is also what the store's settings (プライベートIP / ポート番号) start
 * with. Access log lines only with --verbose.
 */
import { BridgeOptionsError, parseListenAddress, startBridge, type RequestLogEntry, type RunningBridge } from '../../bridge/index.js';
import {
  applySettingsChange, DEFAULT_STORE_SETTINGS, startDemoStore, StoreSettingsError, type RunningDemoStore,
  type StoreSettings,
} from '../../demo-store/index.js';
import { startSimulator, type RunningSimulator } from '../../device-sim/index.js';
import { demoStoreKsnFile, keypadStateFile } from '../state-dir.js';
import { UsageError, USAGE_EXIT_CODE } from '../usage-error.js';
import { keyScriptOf, type KeyScriptFlags } from '../key-script-option.js';
import { KeyScriptError } from '../../device-sim/key-script.js';
import { attachKeyboard } from './sim.js';

export interface DemoStoreCommandOptions extends KeyScriptFlags {
  listen: string;
  bridgeListen: string;
  withKeypad: boolean;
  verbose: boolean;
}

const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::';

/** The origins a browser may send for `url`: on loopback, 127.0.0.1 and localhost are the same store. */
function originsOf(url: string): string[] {
  const { port, hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' ? [`http://127.0.0.1:${port}`, `http://localhost:${port}`] : [url];
}

const isKeyScriptError = (error: unknown): error is KeyScriptError => error instanceof KeyScriptError;

/** A usage error: one line, exit 2. */
class DemoStoreUsageError extends Error {}

/** The store's listen address and the settings naming the bridge, or a DemoStoreUsageError. */
function checkedAddresses(options: DemoStoreCommandOptions): { listen: { host: string; port: number }; bridge: { host: string; port: number } } {
  const parse = (flag: string, text: string) => {
    try {
      return parseListenAddress(text);
    } catch (error) {
      if (error instanceof BridgeOptionsError) throw new DemoStoreUsageError(`${flag}: ${error.message}`);
      throw error;
    }
  };
  const listen = parse('--listen', options.listen);
  const bridge = parse('--bridge-listen', options.bridgeListen);
  // The bridge lets in the store's origin, and no browser sends http://0.0.0.0:PORT as one.
  if (options.withKeypad && isWildcard(listen.host)) {
    throw new DemoStoreUsageError(`--listen ${listen.host} cannot go with --with-keypad: the bridge needs the address browsers open the store at (e.g. 127.0.0.1 or this PC's LAN address)`);
  }
  if (!options.withKeypad && bridge.port === 0) throw new DemoStoreUsageError('--bridge-listen: port 0 needs --with-keypad (it names your own bridge otherwise)');
  return { listen, bridge };
}

/** The settings naming the bridge: a bridge on every interface is reached on loopback from the store's page on this PC. */
function bridgeSettingsOf(bridge: { host: string; port: number }): Partial<StoreSettings> {
  const settings = { bridgeHost: isWildcard(bridge.host) ? '127.0.0.1' : bridge.host, ...(bridge.port !== 0 ? { bridgePort: bridge.port } : {}) };
  try {
    applySettingsChange(DEFAULT_STORE_SETTINGS, settings);
  } catch (error) {
    if (error instanceof StoreSettingsError) throw new DemoStoreUsageError(`--bridge-listen: the host must be an IP address or localhost (${error.message})`);
    throw error;
  }
  return settings;
}

export async function runDemoStore(options: DemoStoreCommandOptions): Promise<number> {
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  let listen: { host: string; port: number };
  let bridgeAddress: { host: string; port: number };
  let settings: Partial<StoreSettings>;
  let keys: string | undefined;
  try {
    keys = await keyScriptOf(options);
    if (keys !== undefined) options.withKeypad = true; // a script needs the keypad it types on
    ({ listen, bridge: bridgeAddress } = checkedAddresses(options));
    settings = bridgeSettingsOf(bridgeAddress);
  } catch (error) {
    if (!(error instanceof DemoStoreUsageError || error instanceof UsageError || isKeyScriptError(error))) throw error;
    err(`tenkey demo-store: ${error.message}`);
    return USAGE_EXIT_CODE;
  }
  let store: RunningDemoStore | undefined;
  let sim: RunningSimulator | undefined;
  let bridge: RunningBridge | undefined;
  let detachKeys: (() => void) | undefined;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  try {
    // Access logs would flood the terminal a person types the card on: only with --verbose.
    const log = options.verbose ? { log: (line: string) => err(`store: ${line}`) } : {};
    store = await startDemoStore({ host: listen.host, port: listen.port, settings, acceptedKsnFile: demoStoreKsnFile(), ...log });
    if (options.withKeypad) {
      sim = await startSimulator({ listen: 'pty', counterFile: keypadStateFile(), ...(keys !== undefined ? { keys } : {}) });
      bridge = await startBridge({
        device: sim.address,
        listen: options.bridgeListen,
        allowOrigins: originsOf(store.url),
        ...(options.verbose ? { onRequest: (entry: RequestLogEntry) => err(`bridge: ${entry.method} ${entry.path} ${entry.status} ${Math.round(entry.durationMs)}ms${entry.problem !== undefined ? ` ${entry.problem}` : ''}`) } : {}),
      });
      store.changeSettings({ bridgePort: bridge.port }); // the port it got, when --bridge-listen asked for any
      err(`tenkey demo-store: virtual keypad (TEST keys only) on ${sim.address}, bridge on ${bridge.url}`);
      if (keys !== undefined) {
        err('tenkey demo-store: the virtual keypad types the --keys script each time the card popup opens');
      } else if (process.stdin.isTTY === true) {
        err('when the popup asks for the card, type it here: digits, Enter, expiry MMYY, Enter (Backspace, c = clear, Esc = cancel, Ctrl-C = quit)');
        detachKeys = attachKeyboard(sim, stop); // the keypad's display, masked (●), redrawn below
      } else {
        err('stdin is not a terminal: nothing types on the virtual keypad (run it in a terminal to type the card there, or give --keys)');
      }
    }
    // Only now: a script that reads the first line must never get the URL of a store that then fails to start.
    process.stdout.write(`${store.url}/\n`);
    err(`tenkey demo-store: open ${store.url}/ in a browser (Ctrl-C stops)`);
  } catch (error) {
    err(`tenkey demo-store: cannot start: ${error instanceof Error ? error.message : String(error)}`);
    detachKeys?.();
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
