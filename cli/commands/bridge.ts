/**
 * `tenkey bridge`: the keypad over HTTP for a store's admin page (bridge/HTTP-API.md). The first line of stdout is
 * the URL it listens on; keypad changes and one line per request go to stderr; SIGINT/SIGTERM stop it (exit 0).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  BridgeOptionsError, DEFAULT_BRIDGE_LISTEN, isLoopback, parseAllowedOrigin, parseListenAddress, startBridge, type KeypadHealth, type RequestLogEntry,
  type RunningBridge,
} from '../../bridge/index.js';
import { isTenkeyError, streamLogger } from '../../host-driver/index.js';
import { cardServiceIds } from '../../host-driver/services.js';
import { MAX_TIMER_MS } from '../../protocol/constants.js';
import { integerIn } from '../option-parsers.js';
import { printableText } from '../../protocol/printable-text.js';
import { exitCodesHelp } from '../exit-codes.js';
import { MAX_CLI_ERROR, USAGE_EXIT_CODE } from '../usage-error.js';

interface BridgeCommandOptions {
  device: string;
  listen: string;
  allowOrigin: string[];
  service?: string;
  connectTimeout?: number;
  verbose: boolean;
}

/** A commander parser from one of the bridge's own checks: its message becomes the usage error. */
function checkedBy(check: (text: string) => unknown): (value: string) => string {
  return (value) => {
    try {
      check(value);
    } catch (e) {
      throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
    }
    return value;
  };
}

export function registerBridgeCommand(program: Command): void {
  const origin = checkedBy(parseAllowedOrigin);
  program
    .command('bridge')
    .description("serve the keypad over HTTP + server-sent events to the store's admin page (a browser cannot open a serial port)")
    .requiredOption('-d, --device <address>', 'the keypad: serial path (/dev/ttyUSB0, a PTY) or tcp://HOST:PORT')
    .option('--listen <host:port>', 'where the bridge listens (port 0 = any free port)', checkedBy(parseListenAddress), DEFAULT_BRIDGE_LISTEN)
    .addOption(new Option('--allow-origin <url>', 'an origin (https://shop.example.com) whose pages may call the bridge; repeatable')
      .argParser((value: string, previous: string[]) => [...previous, origin(value)])
      .default([], 'none: only requests without Origin'))
    .option('-s, --service <name>', `利用サービス for entries that name none: ${cardServiceIds()}`)
    .option('--connect-timeout <ms>', 'time allowed to open the keypad and handshake, per attempt', integerIn('--connect-timeout', 1, MAX_TIMER_MS))
    .option('-v, --verbose', 'driver log lines on stderr', false)
    .addHelpText('after', `\nEndpoints: GET /health, POST /entries, GET /entries/:id/events, DELETE /entries/:id (bridge/HTTP-API.md).\n${exitCodesHelp('bridge')}`)
    .action(async (options: BridgeCommandOptions) => {
      process.exitCode = await runBridge(options);
    });
}

async function runBridge(options: BridgeCommandOptions): Promise<number> {
  const log = (line: string) => process.stderr.write(`tenkey bridge: ${line}\n`);
  let bridge: RunningBridge;
  try {
    bridge = await startBridge({
      device: options.device,
      listen: options.listen,
      allowOrigins: options.allowOrigin,
      ...(options.service !== undefined ? { service: options.service } : {}),
      ...(options.connectTimeout !== undefined ? { connectTimeoutMs: options.connectTimeout } : {}),
      ...(options.verbose ? { logger: streamLogger((line) => process.stderr.write(line), 'debug') } : {}),
      onRequest: (request) => log(requestLine(request)),
      onKeypadChange: (health) => log(keypadLine(health)),
    });
  } catch (e) {
    // Settings the bridge refuses before listening (address, service, origin) are usage errors.
    if (e instanceof BridgeOptionsError || isTenkeyError(e)) {
      process.stderr.write(`tenkey: error: ${isTenkeyError(e) ? e.detail ?? e.message : e.message} (see tenkey bridge --help)\n`);
      return USAGE_EXIT_CODE;
    }
    process.stderr.write(`tenkey bridge: ${printableText(`cannot listen on ${options.listen}: ${e instanceof Error ? e.message : String(e)}`, MAX_CLI_ERROR)}\n`);
    return 1;
  }
  process.stdout.write(`${bridge.url}\n`);
  const { host } = parseListenAddress(options.listen);
  if (!isLoopback(host)) {
    log(`warning: listening on ${host}: any machine on the network can reach the bridge (--allow-origin limits browser pages only; requests without Origin are unrestricted)`);
  }

  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await stopped;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await bridge.close();
  log('stopped');
  return 0;
}

/** `POST /entries 201 3ms`: never a query string, a body or a token. */
function requestLine(request: RequestLogEntry): string {
  return `${request.method} ${request.path} ${request.status} ${request.durationMs}ms${request.problem !== undefined ? ` ${request.problem}` : ''}`;
}

function keypadLine(health: KeypadHealth): string {
  const device = health.device ? ` (${health.device.model} ${health.device.firmwareVersion} #${health.device.serialNumber})` : '';
  const why = health.error ? `: ${health.error.cause}${health.error.detail ? ` — ${health.error.detail}` : ''}` : '';
  return `keypad ${health.status} at ${health.address}${health.status === 'connected' ? device : why}`;
}
