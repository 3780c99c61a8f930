/**
 * The driver's whole public surface — results, progress and connection events, errors, log lines and the
 * CLI's JSON — never shows card digits beyond the revealed last ones.
 */
import { describe, expect, it } from 'vitest';
import { streamLogger, type TenkeyKeypad } from '../../host-driver/index.js';
import { cardKeys, open, progressWhere, recordingLogger, rejectionOf, simulator } from './harness.js';
import { runCliInProcess } from './cli-runner.js';

// Luhn-valid numbers whose digit runs could not appear by chance in hex or ids.
const PAN = '4012888888881881';
const BAD_PAN = '4012888888881882';
const EXPIRY = '0829';
const REVEAL = 2;

/** Every 6-digit window of a number: any of them appearing anywhere would be a leak (more than BIN rules allow). */
function windows(pan: string, size = 6): string[] {
  return Array.from({ length: pan.length - size + 1 }, (_, i) => pan.slice(i, i + size));
}

interface Leaves { text: string[]; hex: string[]; ids: string[] }

/**
 * Every string and number in a value, with hex-only fields (ciphertext, KSN, key set) and random values (session
 * ids, TCP ports, a progress deadline in epoch ms) set apart: a random number may hold any 3 or 4 digits by chance.
 */
function leaves(value: unknown, out: Leaves = { text: [], hex: [], ids: [] }, key = ''): Leaves {
  if (typeof value === 'string') (/^(encryptedBlock|keySerialNumber|keySetId)$/.test(key) ? out.hex : out.text).push(value);
  else if (typeof value === 'number') (/^(sessionId|port|deadline)$/.test(key) ? out.ids : out.text).push(String(value));
  else if (value instanceof Error) leaves({ ...value, errorMessage: value.message, json: JSON.parse(JSON.stringify(value)) }, out);
  else if (Array.isArray(value)) value.forEach((v) => leaves(v, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leaves(v, out, k);
  return out;
}

function surfaceOf(keypad: TenkeyKeypad): unknown[] {
  const seen: unknown[] = [];
  keypad.on('progress', (p) => seen.push(p));
  keypad.on('connection', (e) => seen.push(e));
  return seen;
}

describe('no cleartext card data on the driver surface', () => {
  it('results, events, errors, logs and CLI JSON hold no PAN digits beyond the revealed last ones, nor the expiry', async () => {
    const surface: unknown[] = [];
    let logText = '';
    const logger = recordingLogger();
    const textLogger = streamLogger((line) => (logText += line), 'debug');
    const both = {
      debug: (m: string, f?: Record<string, string | number | boolean | undefined>) => { logger.debug(m, f); textLogger.debug(m, f); },
      info: (m: string, f?: Record<string, string | number | boolean | undefined>) => { logger.info(m, f); textLogger.info(m, f); },
      warn: (m: string, f?: Record<string, string | number | boolean | undefined>) => { logger.warn(m, f); textLogger.warn(m, f); },
      error: (m: string, f?: Record<string, string | number | boolean | undefined>) => { logger.error(m, f); textLogger.error(m, f); },
    };

    // A success, then every way an entry with card digits typed can end.
    const sim = await simulator('tcp', { service: 'visa-master' });
    const keypad = await open({ device: sim.address, logger: both, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
    const events = surfaceOf(keypad);
    const run = async (keys: string, options = {}) => {
      const reading = keypad.readCard({ reveal: REVEAL, ...options }).then((r) => r, (e: unknown) => e);
      await progressWhere(keypad, (p) => p.state === 'PAN');
      void sim.keypad.type(keys);
      surface.push(await reading);
    };
    await run(cardKeys(PAN, EXPIRY));
    await run(`${BAD_PAN}<enter>`.repeat(3));
    await run(cardKeys(PAN, '0120'));
    await run(`${PAN}<enter>08<cancel>`);
    await run(`${PAN}<enter>0`, { timeoutSeconds: 1 });
    await run(cardKeys('3530111333300000'));
    // Unplugged mid-entry, after the number was typed.
    const reading = rejectionOf(keypad.readCard({ reveal: REVEAL }));
    await progressWhere(keypad, (p) => p.state === 'PAN');
    await sim.keypad.type(`${PAN}<enter>08`);
    await sim.vanish();
    surface.push(await reading);
    await sim.reappear();

    // The CLI's JSON (in process) for a success and a failure.
    const cliSim = await simulator('tcp', { keys: cardKeys(PAN, EXPIRY) });
    const cli = await runCliInProcess(['read', '--device', cliSim.address, '--json', '--reveal', String(REVEAL), '--verbose']);
    surface.push(JSON.parse(cli.stdout), cli.stderr);

    const first = surface[0] as { last?: string };
    expect(first.last).toBe(PAN.slice(-REVEAL));
    // Every ending was really exercised.
    expect(surface.slice(1, 6).map((o) => (o as { reason?: string }).reason)).toEqual([
      'INVALID_CARD', 'EXPIRED_CARD', 'CANCELLED', 'TIMEOUT', 'UNSUPPORTED_BRAND',
    ]);
    expect(surface[6]).toMatchObject({ code: 'CONNECTION' });
    // One progress event per change (no STATUS echo of a KEY): still dozens over these entries.
    expect(events.length).toBeGreaterThan(30);
    const { text, hex, ids } = leaves([surface, events, logger.lines]);
    text.push(logText);
    const everything = [...text, ...hex, ...ids].join('\n');
    for (const window of [...windows(PAN), ...windows(BAD_PAN)]) expect(everything).not.toContain(window);
    // Beyond the revealed 2: neither the last 3 digits nor the expiry in any text. Hex fields, session ids and
    // ports are set apart, also where log lines quote them: 3 or 4 random digits match by chance.
    const randomValues = [...new Set([...ids, ...[sim.address, cliSim.address].map((a) => a.split(':').at(-1)!)])]
      .sort((a, b) => b.length - a.length);
    expect(ids.length).toBeGreaterThan(5);
    let plain = text.join('\n');
    for (const value of randomValues) plain = plain.split(value).join('<id>');
    expect(plain).not.toContain(PAN.slice(-(REVEAL + 1)));
    expect(plain).not.toContain(EXPIRY);
    expect(logger.lines.length).toBeGreaterThan(10);
  });
});
