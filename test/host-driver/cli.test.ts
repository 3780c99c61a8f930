import { describe, expect, it } from 'vitest';
import { STORE_MESSAGES } from '../../host-driver/index.js';
import { EXIT_CODES } from '../../cli/exit-codes.js';
import { cardKeys, simulator, TEST_CARDS } from './harness.js';
import { runCli, runCliInProcess } from './cli-runner.js';

describe('tenkey read', () => {
  it('--json prints exactly one JSON object with the card and exits 0 (a real process, which exits by itself)', async () => {
    const sim = await simulator('pty', { keys: cardKeys(TEST_CARDS.jcb) });
    const run = await runCli(['read', '--device', sim.address, '--json']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const card = JSON.parse(lines[0]!);
    expect(Object.keys(card)).toEqual(['brand', 'last', 'keySerialNumber', 'encryptedBlock', 'sessionId', 'device']);
    expect(card).toMatchObject({ brand: 'jcb', last: '000', device: { model: 'TENKEY-SIM', address: sim.address } });
  });

  it('--json prints one error object and exits with the code of the store error', async () => {
    const sim = await simulator('tcp', { keys: cardKeys(TEST_CARDS.visa, '0120') });
    const run = await runCliInProcess(['read', '--device', sim.address, '--json']);
    expect(run.code).toBe(EXIT_CODES.CARD_SERVICE);
    expect(JSON.parse(run.stdout)).toEqual({
      error: {
        code: 'CARD_SERVICE', message: STORE_MESSAGES.CARD_SERVICE.en, messageJa: STORE_MESSAGES.CARD_SERVICE.ja,
        cause: 'EXPIRED_CARD', detail: 'device: card expired',
      },
    });
  });

  it('--json reports a cancel on the keypad as a cancellation, not an error, with its own exit code', async () => {
    const sim = await simulator('tcp', { keys: '4111<cancel>' });
    const run = await runCliInProcess(['read', '--device', sim.address, '--json']);
    expect(run.code).toBe(EXIT_CODES.CANCELLED);
    expect(JSON.parse(run.stdout)).toEqual({
      cancelled: { by: 'keypad', message: 'Card entry was cancelled. (cancel key on the keypad)' },
    });
  });

  it('without --json a cancel is reported as cancelled by whom, not as an error code and cause', async () => {
    const sim = await simulator('tcp', { keys: '4111<cancel>' });
    const run = await runCliInProcess(['read', '--device', sim.address]);
    expect(run.code).toBe(EXIT_CODES.CANCELLED);
    expect(run.stderr).toContain('[cancelled by keypad]');
    expect(run.stderr).not.toContain('CANCELLED:');
    expect(run.stdout).toBe('');
  });

  it('--json reports a wrong path as CONNECTION / ENOENT', async () => {
    const run = await runCliInProcess(['read', '--device', '/dev/tenkey-no-such-port', '--json']);
    expect(run.code).toBe(EXIT_CODES.CONNECTION);
    expect(JSON.parse(run.stdout).error).toMatchObject({ code: 'CONNECTION', cause: 'ENOENT', messageJa: STORE_MESSAGES.CONNECTION.ja });
  });

  it('without --json: ●-progress on stderr, a masked summary on stdout', async () => {
    const sim = await simulator('tcp', { keys: cardKeys(TEST_CARDS.visa) });
    const run = await runCliInProcess(['read', '--device', sim.address, '--reveal', '4']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`card number ${'●'.repeat(16)}`);
    expect(run.stderr).toContain('expiry (MMYY) ●●●●');
    expect(run.stdout).toMatch(/^brand\s+visa$/m);
    expect(run.stdout).toMatch(/^card number\s+…1111$/m);
  });

  it.each([
    [['read', '--reveal', '9'], /--reveal must be an integer from 0 to 4/],
    [['read', '--timeout', 'soon'], /--timeout must be an integer from 1 to 300/],
  ])('refuses bad arguments %j with one clear line and exit 2', async (args, message) => {
    const run = await runCliInProcess(args);
    expect(run.code).toBe(EXIT_CODES.USAGE);
    expect(run.stderr.split('\n')[0]).toMatch(message);
    expect(run.stdout).toBe('');
  });
});

describe('tenkey doctor', () => {
  it('checks settings, connects, measures a PING round trip, shows INFO and says OK', async () => {
    const sim = await simulator('pty');
    const run = await runCliInProcess(['doctor', '--device', sim.address, '--service', 'gmo-pg']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✓ settings +device .*service gmo-pg, keypad input ON/);
    expect(run.stdout).toMatch(/✓ ping +PING round trip \d+ ms/);
    expect(run.stdout).toMatch(/✓ device +TENKEY-SIM, firmware 0\.1\.0, serial SIM-00000001, key set [0-9a-f]{16}/);
    expect(run.stdout).toMatch(/✓ verdict +OK/);
  });

  it('--json gives the verdict in the store\'s words for a port nothing listens on', async () => {
    const run = await runCliInProcess(['doctor', '--device', 'tcp://127.0.0.1:1', '--json']);
    expect(run.code).toBe(EXIT_CODES.CONNECTION);
    const report = JSON.parse(run.stdout);
    expect(report.verdict).toBe('CONNECTION');
    expect(report.error).toMatchObject({ cause: 'ECONNREFUSED', messageJa: STORE_MESSAGES.CONNECTION.ja });
  });

  it('with keypad input OFF says so without opening anything', async () => {
    const run = await runCliInProcess(['doctor', '--device', '/dev/tenkey-no-such-port', '--no-enabled', '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'CONNECTION', error: { cause: 'DISABLED' } });
  });
});
