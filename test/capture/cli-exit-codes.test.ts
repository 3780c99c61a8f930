import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useCliHarness } from './cli-harness.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/captures/happy-visa.jsonl');

describe('exit codes and one-line errors of the capture commands', () => {
  const { run, file } = useCliHarness();

  it.each([
    [['replay', fixture, '--x'], "tenkey: error: unknown option '--x' (see tenkey replay --help)"],
    [['replay'], "tenkey: error: missing required argument 'file' (see tenkey replay --help)"],
    [['decode', '--json', 'a', 'b'], "tenkey: error: too many arguments for 'decode'. Expected 1 argument but got 2. (see tenkey decode --help)"],
    [['capture', 'export', fixture], "tenkey: error: required option '--pcapng <out>' not specified (see tenkey capture export --help)"],
    [['tap'], "tenkey: error: required option '--device <address>' not specified (see tenkey tap --help)"],
    [['replay', fixture, '--speed', '0'], 'tenkey replay: --speed must be a number from 0.1 to 1000, not 0'],
    [['replay', fixture, '--against', 'both'], 'tenkey replay: --against must be host or device, not "both"'],
    [['replay', fixture, '--instant', '--speed', '2'], 'tenkey replay: --instant and --speed exclude each other'],
    [['decode', '--direction', 'up', fixture], 'tenkey decode: --direction must be h2d or d2h, not "up"'],
    [['capture', 'export', fixture, '--pcapng', '/dev/null', '--per', 'byte'], 'tenkey capture export: --per must be frame or chunk, not "byte"'],
    [['tap', '--device', '/dev/null', '--baud-rate', 'fast'], 'tenkey tap: --baud-rate must be a positive integer, not fast'],
  ])('bad usage %j: exit 2 and exactly one line on stderr', async (args, line) => {
    const { code, out, err } = await run(...args);
    expect(err).toBe(`${line}\n`);
    expect(out).toBe('');
    expect(code).toBe(2);
  });

  const valid = readFileSync(fixture, 'utf8');
  it.each([
    ['empty', ''],
    ['truncated mid-record', valid.slice(0, Math.floor(valid.length / 2))],
    ['corrupt JSON', valid.replace(/"hex":"[0-9a-f]{4}/, '"hex":"zz')],
    ['not a capture at all', 'hello world\n'],
  ])('tenkey replay of a capture that is %s: exit 2 (cannot be replayed), one line', async (name, text) => {
    const { code, err } = await run('replay', file(`${name}.jsonl`, text));
    expect(err).toMatch(/^tenkey replay: .+\n$/);
    expect(code).toBe(2);
  });

  it('tenkey replay of a missing file: exit 2, one line', async () => {
    const { code, err } = await run('replay', '/nonexistent/tenkey.jsonl');
    expect(err).toMatch(/^tenkey replay: ENOENT.*\n$/);
    expect(code).toBe(2);
  });
});
