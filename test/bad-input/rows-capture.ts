/**
 * Bad capture files, given to `tenkey decode` and `tenkey replay` as a user would: a file that cannot be read is
 * one line naming the line and the problem (decode exit 1, replay exit 2); bad frames inside a good file are listed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, truncateSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { framesOfCapture } from '../../protocol/capture/capture-frames.js';
import { parseCapture } from '../../protocol/capture/capture-reader.js';
import { formatCapture } from '../../protocol/capture/capture-writer.js';
import { MAX_CAPTURE_INPUT_BYTES } from '../../protocol/capture/load-capture.js';
import { encodeFrame } from '../../protocol/index.js';
import { projectRoot, runCliInProcess, type CliRun } from '../host-driver/cli-runner.js';
import { BAD_COBS_BYTES, badCrcFrame } from './bad-frames.js';
import type { BadInputRow } from './bad-input-row.js';
import { tempFiles, withCleanup } from './check-scope.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/captures/happy-visa.jsonl');
const fixtureText = (): string => readFileSync(FIXTURE, 'utf8');
const fixtureLines = (): string[] => fixtureText().trimEnd().split('\n');
const headerLine = (): string => fixtureLines()[0]!;

/** `tenkey decode` of a file holding `content`: exit 1 and exactly this one line on stderr, nothing on stdout. */
async function expectDecodeRefuses(content: string | Uint8Array, line: RegExp): Promise<CliRun> {
  return withCleanup(async (defer) => {
    const run = await runCliInProcess(['decode', tempFiles(defer)('capture.jsonl', content)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^[^\n]+\n$/);
    expect(run.stderr).toMatch(line);
    return run;
  });
}

export const captureRows: BadInputRow[] = [
  {
    area: 'capture',
    input: 'an empty file',
    answer: '`decode` exit 1: `no hex bytes found [EMPTY]`',
    check: async () => { await expectDecodeRefuses('', /^tenkey decode: no hex bytes found \[EMPTY\]\n$/); },
  },
  {
    area: 'capture',
    input: 'JSON Lines that are not a capture (no tenkey header)',
    answer: '`decode` exit 1: `line 1: first line must be a header with "format":"tenkey-capture" [BAD_HEADER]`',
    check: async () => { await expectDecodeRefuses('{"hello":1}\n', /^tenkey decode: line 1: first line must be a header .*\[BAD_HEADER\]\n$/); },
  },
  {
    area: 'capture',
    input: 'a binary file (a raw dump) read as a capture',
    answer: '`decode` exit 1, saying it looks binary and to use `--format raw` `[NOT_TEXT]`',
    check: async () => {
      await expectDecodeRefuses(Buffer.concat([encodeFrame({ type: 'ACK' }, 0, { fromDevice: true }), Buffer.from([0xff, 0xfe, 0x00])]),
        /looks like binary; for a raw byte dump use --format raw \[NOT_TEXT\]\n$/);
    },
  },
  {
    area: 'capture',
    input: 'a capture whose last line was cut off',
    answer: '`decode` exit 1 and `replay` exit 2: `line N: not JSON (…) [BAD_JSON]` with the line of the cut',
    check: () => withCleanup(async (defer) => {
      const lines = fixtureLines();
      const cut = [...lines.slice(0, -1), lines.at(-1)!.slice(0, 20)].join('\n');
      const file = tempFiles(defer)('cut.jsonl', cut);
      const lineOfCut = new RegExp(`: line ${lines.length}: not JSON .*\\[BAD_JSON\\]\\n$`);
      const decode = await runCliInProcess(['decode', file]);
      expect([decode.code, decode.stdout, decode.stderr]).toEqual([1, '', expect.stringMatching(lineOfCut)]);
      const replay = await runCliInProcess(['replay', file]);
      expect([replay.code, replay.stderr]).toEqual([2, expect.stringMatching(lineOfCut)]);
    }),
  },
  {
    area: 'capture',
    input: 'a header of capture format version 2',
    answer: '`decode` exit 1: `line 1: capture format version 2 is not supported (this reader knows 1) [UNSUPPORTED_VERSION]`',
    check: async () => {
      const [header, ...records] = fixtureLines();
      const v2 = [JSON.stringify({ ...JSON.parse(header!), version: 2 }), ...records].join('\n');
      await expectDecodeRefuses(v2, /^tenkey decode: line 1: capture format version 2 is not supported .*\[UNSUPPORTED_VERSION\]\n$/);
    },
  },
  {
    area: 'capture',
    input: 'a record whose `hex` is not hex',
    answer: '`decode` exit 1: `line 2: hex must be whole bytes of hex digits [BAD_HEX]`',
    check: async () => {
      await expectDecodeRefuses(`${headerLine()}\n{"dir":"d2h","t":0,"hex":"zz"}\n`, /^tenkey decode: line 2: hex must be whole bytes of hex digits \[BAD_HEX\]\n$/);
    },
  },
  {
    area: 'capture',
    input: 'records whose time goes backwards',
    answer: '`decode` exit 1 naming the line `[TIME_WENT_BACKWARDS]`',
    check: async () => {
      const text = `${headerLine()}\n{"dir":"d2h","t":5,"hex":"00"}\n{"dir":"h2d","t":4,"hex":"00"}\n`;
      await expectDecodeRefuses(text, /^tenkey decode: line 3: .*\[TIME_WENT_BACKWARDS\]\n$/);
    },
  },
  {
    area: 'capture',
    input: 'recorded frames that fail decoding (bad CRC, bad COBS)',
    answer: 'not a failure of the file: `decode` exit 0 lists each as `!! BAD_CRC` / `!! BAD_COBS` among the good frames',
    check: () => withCleanup(async (defer) => {
      const capture = parseCapture(`${headerLine()}\n`);
      capture.records = [
        { dir: 'h2d', t: 1, bytes: badCrcFrame() },
        { dir: 'h2d', t: 2, bytes: BAD_COBS_BYTES },
        { dir: 'h2d', t: 3, bytes: encodeFrame({ type: 'GET_INFO' }, 0, { retransmission: true }) },
      ];
      const run = await runCliInProcess(['decode', tempFiles(defer)('bad-frames.jsonl', formatCapture(capture))]);
      expect(run.code).toBe(0);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      [/!! BAD_CRC .*crc=BAD$/, /!! BAD_COBS .*crc=n\/a$/, /GET_INFO .*crc=ok$/].forEach((pattern, i) => expect(lines[i]).toMatch(pattern));
    }),
  },
  {
    area: 'capture',
    input: 'two host connections in one capture, for `replay --against host`',
    answer: 'refused, exit 2: `✗ the capture holds more than one host connection` and where to split it',
    check: () => withCleanup(async (defer) => {
      const capture = parseCapture(fixtureText());
      const end = capture.records.at(-1)!.t;
      capture.records.push(...parseCapture(fixtureText()).records.map((r) => ({ ...r, t: r.t + end + 100 })));
      const run = await runCliInProcess(['replay', tempFiles(defer)('two-reads.jsonl', formatCapture(capture)), '--against', 'host']);
      expect(run.code).toBe(2);
      expect(run.stdout).toMatch(/^✗ the capture holds more than one host connection .*split the capture before that HELLO$/m);
    }),
  },
  {
    area: 'capture',
    input: 'a tampered capture (a recorded driver ACK deleted)',
    answer: '`replay` exit 1 with the frame-level difference: `✗ unexpected h2d frame: … ACK`',
    check: () => withCleanup(async (defer) => {
      const capture = parseCapture(fixtureText());
      const ack = framesOfCapture(capture).find((f) => f.dir === 'h2d' && f.result.ok && f.result.frame.message.type === 'ACK' && f.result.frame.seq === 5)!;
      capture.records.splice(ack.firstRecord, 1);
      const run = await runCliInProcess(['replay', tempFiles(defer)('tampered.jsonl', formatCapture(capture)), '--against', 'host', '--instant']);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^✗ unexpected h2d frame: .* seq=5 +ACK /m);
    }),
  },
  {
    area: 'capture',
    input: 'an input that never ends (`/dev/zero`, a live serial port) given to `decode`',
    answer: 'exit 1 once 64 MiB are read, memory bounded by that cap: `/dev/zero is over 67108864 bytes (64 MiB), the most a capture may be; … [TOO_LARGE]`',
    check: async () => {
      const run = await runCliInProcess(['decode', '/dev/zero']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^tenkey decode: \/dev\/zero is over 67108864 bytes \(64 MiB\), the most a capture may be; .*\[TOO_LARGE\]\n$/);
    },
  },
  {
    area: 'capture',
    input: 'a file over 64 MiB given to `decode`, `capture export` or `replay`',
    answer: '`decode` / `capture export` exit 1, `replay` exit 2, at once from the file\'s size, unread: `FILE (N bytes) is over 67108864 bytes (64 MiB) … [TOO_LARGE]`',
    check: () => withCleanup(async (defer) => {
      const path = tempFiles(defer)('huge.jsonl', '');
      truncateSync(path, MAX_CAPTURE_INPUT_BYTES + 1);
      const out = `${path}.pcapng`;
      defer(() => rmSync(out, { force: true }));
      for (const [args, exit] of [[['decode', path], 1], [['capture', 'export', path, '--pcapng', out], 1], [['replay', path], 2]] as const) {
        const run = await runCliInProcess([...args]);
        expect(run.code).toBe(exit);
        expect(run.stderr).toMatch(new RegExp(`huge\\.jsonl \\(${MAX_CAPTURE_INPUT_BYTES + 1} bytes\\) is over ${MAX_CAPTURE_INPUT_BYTES} bytes \\(64 MiB\\).*\\[TOO_LARGE\\]\\n$`));
      }
    }),
  },
  {
    area: 'capture',
    input: 'stdin over 64 MiB (`tenkey decode -`)',
    answer: 'exit 1 once the running count passes 64 MiB: `stdin is over 67108864 bytes (64 MiB) … [TOO_LARGE]`',
    check: async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/host-driver/fixtures/run-cli.ts'), 'decode', '-'], { cwd: projectRoot, stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.stdin.on('error', () => {}); // it stops reading at the cap
      child.stdin.end(Buffer.alloc(MAX_CAPTURE_INPUT_BYTES + 1, 0x20));
      const [code] = (await once(child, 'close')) as [number | null];
      expect(code).toBe(1);
      expect(stderr).toMatch(/^tenkey decode: stdin is over 67108864 bytes \(64 MiB\).*\[TOO_LARGE\]\n$/);
    },
  },
];
