/**
 * Bad arguments to the `tenkey` command, run in-process as a user would type them: usage mistakes are one line on
 * stderr and exit 2 with nothing on stdout; a setting or keypad the driver cannot use exits with its store error;
 * an address the bridge cannot listen on exits 1.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { expect } from 'vitest';
import { EXIT_CODES } from '../../cli/exit-codes.js';
import { STORE_MESSAGES } from '../../host-driver/index.js';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { runCliInProcess, type CliRun } from '../host-driver/cli-runner.js';
import { INFO, say, serveFakeDevice } from '../host-driver/fake-device-server.js';
import { holdsNumber } from '../redaction/card-number-spellings.js';
import type { BadInputRow } from './bad-input-row.js';
import { withCleanup, type Defer } from './check-scope.js';

/** Exit 2, nothing on stdout, exactly one line on stderr matching `line`. */
function expectUsageError(run: CliRun, line: RegExp | string): void {
  expect(run.code).toBe(EXIT_CODES.USAGE);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^[^\n]+\n$/);
  if (typeof line === 'string') expect(run.stderr).toBe(`${line}\n`);
  else expect(run.stderr).toMatch(line);
}

/** The `error` object `tenkey read --json` printed. */
/** The TEST Visa number as it slips past a digits-and-spaces redaction: `/`, `.`, `_` and `%2F` between its groups. */
const cardSpellings = (): string[] => ['/', '.', '_', '%2F'].map((glue) => TEST_CARDS.visa.replace(/(\d{4})(?=\d)/g, `$1${glue}`));

const jsonError = (run: CliRun): unknown => (JSON.parse(run.stdout) as { error?: unknown }).error;

/** A TCP port on this machine that nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP listener held for the scope: its address, and how many connections it has taken so far. */
async function watchedPort(defer: Defer): Promise<{ host: string; port: number; connections: () => number }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  defer(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port, connections: () => sockets.length };
}

/** commander's line for an option value its parser refused. */
const invalidArgument = (command: string, option: string, value: string, why: string): string =>
  `tenkey: error: option '${option}' argument '${value}' is invalid. ${why} (see tenkey ${command} --help)`;

export const cliRows: BadInputRow[] = [
  {
    area: 'cli',
    input: 'an unknown command',
    answer: 'exit 2, one line naming it and where help is: `tenkey: error: unknown command \'frobnicate\' (see tenkey --help)`',
    check: async () => {
      expectUsageError(await runCliInProcess(['frobnicate']), "tenkey: error: unknown command 'frobnicate' (see tenkey --help)");
    },
  },
  {
    area: 'cli',
    input: 'an unknown option',
    answer: 'exit 2, one line naming the option and the command\'s help',
    check: async () => {
      expectUsageError(await runCliInProcess(['read', '--frob']), "tenkey: error: unknown option '--frob' (see tenkey read --help)");
    },
  },
  {
    area: 'cli',
    input: '`sim --listen` with a port out of range (`tcp://127.0.0.1:99999`)',
    answer: 'exit 2 before anything listens: `--listen: port "99999" is not a number from 0 to 65535`',
    check: async () => {
      expectUsageError(await runCliInProcess(['sim', '--listen', 'tcp://127.0.0.1:99999']), 'tenkey sim: --listen: port "99999" is not a number from 0 to 65535');
    },
  },
  {
    area: 'cli',
    input: '`sim --listen` with another scheme (`udp://x:1`)',
    answer: 'exit 2 before anything listens: `--listen must be "pty" or tcp://HOST:PORT`',
    check: async () => {
      expectUsageError(await runCliInProcess(['sim', '--listen', 'udp://x:1']), 'tenkey sim: --listen must be "pty" or tcp://HOST:PORT, got "udp://x:1"');
    },
  },
  {
    area: 'cli',
    input: '`read --device` as HOST:PORT without `tcp://`',
    answer: 'exit 4 (`CONNECTION` / `BAD_ADDRESS`, nothing opened), with the fix in the detail: `write it as tcp://…`',
    check: async () => {
      const run = await runCliInProcess(['read', '--device', '192.168.0.50:7780', '--json']);
      expect(run.code).toBe(EXIT_CODES.CONNECTION);
      expect(jsonError(run)).toMatchObject({ code: 'CONNECTION', cause: 'BAD_ADDRESS', detail: expect.stringContaining('write it as tcp://192.168.0.50:7780') });
    },
  },
  {
    area: 'cli',
    input: '`read --timeout` of 0, 301 or a word',
    answer: 'exit 2: `--timeout must be an integer from 1 to 300`',
    check: async () => {
      for (const value of ['0', '301', 'soon']) {
        expectUsageError(await runCliInProcess(['read', '--timeout', value]), /--timeout must be an integer from 1 to 300\./);
      }
    },
  },
  {
    area: 'cli',
    input: '`sim --keys` with a character that is no key',
    answer: 'exit 2 before anything listens, naming the character and its column',
    check: async () => {
      expectUsageError(await runCliInProcess(['sim', '--keys', '12x']), /^tenkey sim: unexpected "x" .* at column 3\n$/);
    },
  },
  {
    area: 'cli',
    input: '`sim --fault` with an unknown fault or a rate above 1',
    answer: 'exit 2: the unknown name with the known ones listed, or how to write a rate (`0.01` or `1%`)',
    check: async () => {
      expectUsageError(await runCliInProcess(['sim', '--fault', 'bogus']), /^tenkey sim: unknown fault "bogus" \(known: drop, corrupt, .*\)\n$/);
      expectUsageError(await runCliInProcess(['sim', '--fault', 'drop=2']), /^tenkey sim: "2" is not a probability: use 0–1 \(0\.01\) or 0–100% \(1%\)\n$/);
    },
  },
  {
    area: 'cli',
    input: 'a capture file that does not exist, for `decode` and `replay`',
    answer: 'one line naming `ENOENT`; `decode` exits 1, `replay` exits 2 (cannot be replayed)',
    check: async () => {
      const decode = await runCliInProcess(['decode', '/nonexistent/tenkey.jsonl']);
      expect([decode.code, decode.stderr]).toEqual([1, expect.stringMatching(/^tenkey decode: ENOENT[^\n]*\n$/)]);
      const replay = await runCliInProcess(['replay', '/nonexistent/tenkey.jsonl']);
      expect([replay.code, replay.stderr]).toEqual([2, expect.stringMatching(/^tenkey replay: ENOENT[^\n]*\n$/)]);
    },
  },
  {
    area: 'cli',
    input: '`read` from an address where nothing listens',
    answer: 'exit 4: `CONNECTION` / `ECONNREFUSED` with the store\'s message (`--json`: one `error` object on stdout)',
    check: async () => {
      const run = await runCliInProcess(['read', '--device', `tcp://127.0.0.1:${await closedPort()}`, '--json']);
      expect(run.code).toBe(EXIT_CODES.CONNECTION);
      expect(jsonError(run)).toMatchObject({ code: 'CONNECTION', cause: 'ECONNREFUSED', messageJa: STORE_MESSAGES.CONNECTION.ja });
    },
  },
  {
    area: 'cli',
    input: 'a missing required option (`bridge` without `--device`)',
    answer: 'exit 2, one line naming the option: `tenkey: error: required option \'-d, --device <address>\' not specified (see tenkey bridge --help)`',
    check: async () => {
      expectUsageError(await runCliInProcess(['bridge']), "tenkey: error: required option '-d, --device <address>' not specified (see tenkey bridge --help)");
    },
  },
  {
    area: 'cli',
    input: '`read --service` naming no known service',
    answer: 'exit 4 (`CONNECTION` / `UNKNOWN_SERVICE`, the keypad never opened), detail `unknown card service "nope" (known: all, temona-payment-g, remise, gmo-pg, visa-master)`',
    check: () => withCleanup(async (defer) => {
      const keypad = await watchedPort(defer);
      const run = await runCliInProcess(['read', '--device', `tcp://${keypad.host}:${keypad.port}`, '--service', 'nope', '--json']);
      expect(run.code).toBe(EXIT_CODES.CONNECTION);
      expect(jsonError(run)).toMatchObject({ code: 'CONNECTION', cause: 'UNKNOWN_SERVICE', detail: 'unknown card service "nope" (known: all, temona-payment-g, remise, gmo-pg, visa-master)', messageJa: STORE_MESSAGES.CONNECTION.ja });
      expect(keypad.connections()).toBe(0);
    }),
  },
  {
    area: 'cli',
    input: '`bridge --allow-origin` without a scheme (`shop.example.com`)',
    answer: 'exit 2 before anything listens: `allowed origin "shop.example.com" is not a URL like https://shop.example.com`',
    check: async () => {
      const run = await runCliInProcess(['bridge', '--device', 'tcp://127.0.0.1:1', '--allow-origin', 'shop.example.com']);
      expectUsageError(run, invalidArgument('bridge', '--allow-origin <url>', 'shop.example.com', 'allowed origin "shop.example.com" is not a URL like https://shop.example.com'));
    },
  },
  {
    area: 'cli',
    input: '`bridge --listen` that is no HOST:PORT (`nowhere`, port 99999)',
    answer: 'exit 2 before anything listens: `listen address "nowhere" is not HOST:PORT (e.g. 127.0.0.1:7781; port 0 = any free port)`',
    check: async () => {
      for (const value of ['nowhere', '127.0.0.1:99999']) {
        const run = await runCliInProcess(['bridge', '--device', 'tcp://127.0.0.1:1', '--listen', value]);
        expectUsageError(run, invalidArgument('bridge', '--listen <host:port>', value, `listen address "${value}" is not HOST:PORT (e.g. 127.0.0.1:7781; port 0 = any free port)`));
      }
    },
  },
  {
    area: 'cli',
    input: '`bridge --listen` on a port already in use',
    answer: 'exit 1, nothing on stdout: `tenkey bridge: cannot listen on HOST:PORT: listen EADDRINUSE: …`',
    check: () => withCleanup(async (defer) => {
      const taken = await watchedPort(defer);
      const run = await runCliInProcess(['bridge', '--device', 'tcp://127.0.0.1:1', '--listen', `${taken.host}:${taken.port}`]);
      expect([run.code, run.stdout]).toEqual([1, '']);
      expect(run.stderr).toBe(`tenkey bridge: cannot listen on ${taken.host}:${taken.port}: listen EADDRINUSE: address already in use ${taken.host}:${taken.port}\n`);
    }),
  },
  {
    area: 'cli',
    input: '`demo-store --listen` that is no HOST:PORT',
    answer: 'exit 2 before anything listens: `tenkey demo-store: --listen: listen address "nowhere" is not HOST:PORT …`',
    check: async () => {
      expectUsageError(await runCliInProcess(['demo-store', '--listen', 'nowhere']),
        'tenkey demo-store: --listen: listen address "nowhere" is not HOST:PORT (e.g. 127.0.0.1:7781; port 0 = any free port)');
    },
  },
  {
    area: 'cli',
    input: '`replay --against` neither host nor device',
    answer: 'exit 2 before the capture is read: `tenkey replay: --against must be host or device, not "bogus"`',
    check: async () => {
      expectUsageError(await runCliInProcess(['replay', '/nonexistent/tenkey.jsonl', '--against', 'bogus']), 'tenkey replay: --against must be host or device, not "bogus"');
    },
  },
  {
    area: 'cli',
    input: '`tap --baud-rate` that is no positive integer (a word, 0)',
    answer: 'exit 2 before the keypad is opened: `tenkey tap: --baud-rate must be a positive integer, not fast`',
    check: () => withCleanup(async (defer) => {
      const keypad = await watchedPort(defer);
      for (const value of ['fast', '0']) {
        const run = await runCliInProcess(['tap', '--device', `tcp://${keypad.host}:${keypad.port}`, '--baud-rate', value]);
        expectUsageError(run, `tenkey tap: --baud-rate must be a positive integer, not ${value}`);
      }
      expect(keypad.connections()).toBe(0);
    }),
  },
  {
    area: 'cli',
    input: '`sim --script` naming a file that does not exist',
    answer: 'exit 2 before anything listens: `tenkey sim: cannot read --script PATH: ENOENT`',
    check: async () => {
      expectUsageError(await runCliInProcess(['sim', '--script', '/nonexistent/keys.txt']), 'tenkey sim: cannot read --script /nonexistent/keys.txt: ENOENT');
    },
  },
  {
    area: 'cli',
    input: '`read` / `doctor --service` holding a card number, spelled with `/`, `.`, `_` or `%2F` between its digits',
    answer: 'exit 4 (`CONNECTION` / `UNKNOWN_SERVICE`); the echoed name reads `[redacted]` in text, `--json` and doctor\'s settings line',
    check: async () => {
      for (const spelled of cardSpellings()) {
        // One at a time: an in-process run captures the process's stdout and stderr.
        for (const args of [['read'], ['read', '--json'], ['doctor']]) {
          const run = await runCliInProcess([...args, '--device', 'tcp://127.0.0.1:1', '--service', spelled]);
          expect(run.code).toBe(EXIT_CODES.CONNECTION);
          expect(run.stdout + run.stderr).toMatch(/unknown card service \\?"\[redacted\]\\?"/);
          expect(holdsNumber(run.stdout + run.stderr, TEST_CARDS.visa)).toBe(false);
        }
      }
    },
  },
  {
    area: 'cli',
    input: 'a keypad whose INFO model, firmware and serial hold a newline, escape sequences and a card number',
    answer: '`doctor` and its `--verbose` log print them escaped (`\\n`, `\\x1b`, `\\u202e`) and masked (`[redacted]`): no forged log line, no escape reaches the terminal',
    check: () => withCleanup(async (defer) => {
      const identity = { model: 'TK\ntenkey info: forged line', firmwareVersion: '\x1b[2J\x1b]0;title\x07\u202e', serialNumber: cardSpellings()[0]! };
      const keypad = await serveFakeDevice((message, { link }) => {
        if (message.type === 'HELLO') say(link, { ...INFO, ...identity, acceptedBrands: ['visa'] });
        if (message.type === 'PING') say(link, { type: 'PONG', nonce: message.nonce });
      });
      defer(() => keypad.close());
      const run = await runCliInProcess(['doctor', '--verbose', '--device', keypad.address]);
      const printed = run.stdout + run.stderr;
      expect(run.code).toBe(EXIT_CODES.OK);
      expect(printed).toContain('TK\\ntenkey info: forged line');
      expect(printed).toContain('\\x1b[2J\\x1b]0;title\\x07\\u202e');
      expect(printed).toContain('[redacted]');
      expect(printed).not.toMatch(/^tenkey info: forged/m);
      expect(printed).not.toMatch(/[\x1b\x07\u202e]/);
      expect(holdsNumber(printed, TEST_CARDS.visa)).toBe(false);
    }),
  },
  {
    area: 'cli',
    input: '`replay --speed` outside 0.1 to 1000 (0, 0.05, 5000, a word)',
    answer: 'exit 2 before the capture is read: `tenkey replay: --speed must be a number from 0.1 to 1000, not 5000`',
    check: async () => {
      for (const value of ['0', '0.05', '5000', 'fast']) {
        expectUsageError(await runCliInProcess(['replay', '/nonexistent/tenkey.jsonl', '--speed', value]), `tenkey replay: --speed must be a number from 0.1 to 1000, not ${value}`);
      }
    },
  },
];
