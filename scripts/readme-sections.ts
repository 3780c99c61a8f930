/** The generated sections of README.md, shared by `npm run docs` and the test that keeps README in step. */
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { renderPaymentFailureTableMarkdown } from '../demo-store/payment-failures.js';
import type { Command } from 'commander';
import { buildProgram } from '../cli/main.js';
import { renderErrorTableMarkdown } from '../host-driver/error-table-markdown.js';
import { renderBadInputTableMarkdown } from '../test/bad-input/bad-input-table-markdown.js';
import { BAD_INPUT_ROWS } from '../test/bad-input/rows.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const mainPath = resolve(root, 'cli/main.ts');

/** The help pages README shows first, in this order ([] = the top-level help); every other verb follows. */
const HELP_PAGES_FIRST: readonly (readonly string[])[] = [
  [], ['demo'], ['demo-store'], ['sim'], ['read'], ['doctor'], ['bridge'], ['tap'], ['decode'], ['capture', 'export'], ['capture', 'import'], ['replay'],
];

/** Every verb registered in cli/main.ts, as typed after `tenkey` (`capture info` for a sub-command). */
export function registeredVerbs(): string[][] {
  const verbs: string[][] = [];
  const walk = (command: Command, path: string[]): void => {
    for (const sub of command.commands) {
      if (sub.commands.length > 0) walk(sub, [...path, sub.name()]);
      else verbs.push([...path, sub.name()]);
    }
  };
  walk(buildProgram(), []);
  return verbs;
}

/** HELP_PAGES_FIRST, then each registered verb it does not name: a new verb reaches README by itself. */
function helpPages(): (readonly string[])[] {
  const key = (args: readonly string[]): string => args.join(' ');
  const listed = new Set(HELP_PAGES_FIRST.map(key));
  return [...HELP_PAGES_FIRST, ...registeredVerbs().filter((verb) => !listed.has(key(verb)))];
}

/** `tenkey <args> --help` as a user sees it, run from the TypeScript sources (no build needed). */
async function helpOf(args: readonly string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import', 'tsx', '--input-type=module', '-e',
    `import { main } from ${JSON.stringify(mainPath)}; process.exitCode = await main(process.argv);`,
    'tenkey', ...args, '--help',
  ], { cwd: root });
  return stdout.trimEnd();
}

export async function renderReadmeSections(): Promise<Record<string, string>> {
  const pages = await Promise.all(helpPages().map(async (args) => `$ tenkey ${[...args, '--help'].join(' ')}\n${await helpOf(args)}`));
  return {
    'error-table': renderErrorTableMarkdown().trimEnd(),
    // The rows' words only: their checks are the tests in test/bad-input/ and never run here.
    'bad-input-table': renderBadInputTableMarkdown(BAD_INPUT_ROWS).trimEnd(),
    'cli-help': ['```text', pages.join('\n\n'), '```'].join('\n'),
    'payment-error-table': renderPaymentFailureTableMarkdown().trimEnd(),
  };
}

/** `text` with the lines between `<!-- name:start -->` and `<!-- name:end -->` replaced by `body`. */
export function replaceSection(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} section`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

/** The body currently between the markers, as replaceSection would have written it. */
export function sectionOf(text: string, name: string): string {
  const start = `<!-- ${name}:start -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(`<!-- ${name}:end -->`);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} section`);
  return text.slice(from + start.length + 1, to - 1);
}
