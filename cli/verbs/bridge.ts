/**
 * `tenkey bridge`: the keypad over HTTP for a store's admin page (bridge/HTTP-API.md). The first line of stdout is
 * the URL it listens on; keypad changes and one line per request go to stderr; SIGINT/SIGTERM stop it (exit 0).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { cardServiceIds } from '../../protocol/card-services.js';
import { MAX_TIMER_MS } from '../../protocol/constants.js';
import { exitCodesHelp } from '../exit-codes.js';
import { DEFAULT_BRIDGE_LISTEN } from '../help-defaults.js';
import { integerIn } from '../option-parsers.js';
import type { BridgeCommandOptions } from '../commands/bridge.js';

type BridgeChecks = typeof import('../../bridge/bridge-options.js');

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
  // --listen and --allow-origin are checked by the bridge's own rules while commander parses them, and commander's
  // parsers are synchronous: the module with the rules (it reaches the driver and serialport) is loaded once
  // `bridge` is the verb being run, before its options are parsed, never for another verb or `tenkey --help`.
  let checks: BridgeChecks | undefined;
  program.hook('preSubcommand', async (_program, verb) => {
    if (verb.name() === 'bridge') checks ??= await import('../../bridge/bridge-options.js');
  });
  const loaded = (): BridgeChecks => {
    if (checks === undefined) throw new Error('the bridge option checks were not loaded before parsing');
    return checks;
  };
  const origin = checkedBy((text) => loaded().parseAllowedOrigin(text));
  program
    .command('bridge')
    .description("serve the keypad over HTTP + server-sent events to the store's admin page (a browser cannot open a serial port)")
    .requiredOption('-d, --device <address>', 'the keypad: serial path (/dev/ttyUSB0, a PTY) or tcp://HOST:PORT')
    .option('--listen <host:port>', 'where the bridge listens (port 0 = any free port)', checkedBy((text) => loaded().parseListenAddress(text)), DEFAULT_BRIDGE_LISTEN)
    .addOption(new Option('--allow-origin <url>', 'an origin (https://shop.example.com) whose pages may call the bridge; repeatable')
      .argParser((value: string, previous: string[]) => [...previous, origin(value)])
      .default([], 'none: only requests without Origin'))
    .option('-s, --service <name>', `利用サービス for entries that name none: ${cardServiceIds()}`)
    .option('--connect-timeout <ms>', 'time allowed to open the keypad and handshake, per attempt', integerIn('--connect-timeout', 1, MAX_TIMER_MS))
    .option('-v, --verbose', 'driver log lines on stderr', false)
    .addHelpText('after', `\nEndpoints: GET /health, POST /entries, GET /entries/:id/events, DELETE /entries/:id (bridge/HTTP-API.md).\n${exitCodesHelp('bridge')}`)
    .action(async (options: BridgeCommandOptions) => {
      const { runBridge } = await import('../commands/bridge.js');
      process.exitCode = await runBridge(options);
    });
}
