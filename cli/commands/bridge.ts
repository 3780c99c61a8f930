/**
 * `tenkey bridge`: the keypad over HTTP for a store's admin page (bridge/HTTP-API.md). The first line of stdout is
 * the URL it listens on; keypad changes and one line per request go to stderr; SIGINT/SIGTERM stop it (exit 0).
 */
import {
  BridgeOptionsError, isLoopback, parseListenAddress, startBridge, type KeypadHealth, type RequestLogEntry,
  type RunningBridge,
} from '../../bridge/index.js';
import { isTenkeyError, streamLogger } from '../../host-driver/index.js';
import { printableText } from '../../protocol/printable-text.js';
import { MAX_CLI_ERROR, USAGE_EXIT_CODE } from '../usage-error.js';

export interface BridgeCommandOptions {
  device: string;
  listen: string;
  allowOrigin: string[];
  service?: string;
  connectTimeout?: number;
  verbose: boolean;
}

export async function runBridge(options: BridgeCommandOptions): Promise<number> {
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
