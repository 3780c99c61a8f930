/**
 * `tenkey demo-store`: the reference admin store (Japanese UI) with the payment stand-ins. Prints its URL as the
 * first line of stdout once everything it runs has started, and serves until SIGINT/SIGTERM (exit 0). With
 * --with-keypad it also runs a virtual keypad on a PTY and a bridge at --bridge-listen that lets the store's pages
 * in (cli/commands/demo-store.ts says how).
 */
import type { Command } from 'commander';
import { exitCodesHelp } from '../exit-codes.js';
import { DEFAULT_STORE_BRIDGE_ADDRESS, DEFAULT_STORE_LISTEN } from '../help-defaults.js';
import type { DemoStoreCommandOptions } from '../commands/demo-store.js';

export function registerDemoStoreCommand(program: Command): void {
  program
    .command('demo-store')
    .description('serve the reference admin store (Japanese UI, mock token and 与信 services); prints its URL as the first line of stdout')
    .option('--listen <host:port>', 'address to serve the store on (port 0 = any free port)', DEFAULT_STORE_LISTEN)
    .option('--with-keypad', 'also run a virtual keypad (TEST keys only) on a PTY and a bridge at --bridge-listen for the store', false)
    .option('--bridge-listen <host:port>', "the bridge's address: where --with-keypad runs it (port 0 = any free port), and the store settings' プライベートIP / ポート番号", DEFAULT_STORE_BRIDGE_ADDRESS)
    .option('--keys <script>', 'with --with-keypad (implied): key script the virtual keypad types each time the card popup opens, as for tenkey sim')
    .option('--script <file>', 'the same, read from a file (# starts a comment)')
    .option('-v, --verbose', "access log lines of the store and the bridge on stderr", false)
    .addHelpText('after', `\nWithout --with-keypad, run \`tenkey bridge --allow-origin <store URL>\` beside a keypad yourself.\nThe card numbers that work, are declined or make the card service unavailable are listed in the README.\nThe highest KSN counter accepted per keypad is kept in $XDG_STATE_HOME/tenkey/demo-store/accepted-ksns.json\n(default ~/.local/state/tenkey/…): a restarted store still refuses a card block it already took.\n${exitCodesHelp('demo-store')}`)
    .action(async (options: DemoStoreCommandOptions) => {
      const { runDemoStore } = await import('../commands/demo-store.js');
      process.exitCode = await runDemoStore(options);
    });
}
