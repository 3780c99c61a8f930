/**
 * No card data leaves the bridge: entries with several TEST cards, ending every way an entry can end, and every
 * HTTP answer, every event-stream byte, every request log entry, keypad change and driver log line is searched
 * for the card numbers (whole, split, as hex of ASCII, first 6 + last 4, any 6-digit window) and the expiries.
 */
import { describe, expect, it } from 'vitest';
import { streamLogger } from '../../host-driver/index.js';
import { findCardNumbers } from '../capture/pan-scan.js';
import { call, deleteEntry, simulator, startTestBridge, TEST_CARDS, type JsonAnswer } from './bridge-harness.js';
import { readEventStream } from './sse-client.js';

// Expiries that could not show up by chance in a count or a status: the valid one and a past one.
const EXPIRY = '0829';
const PAST_EXPIRY = '0120';

type Ending = 'result' | 'host-cancel' | 'keypad-cancel' | 'timeout' | 'unplug';

interface Scenario {
  card: keyof typeof TEST_CARDS;
  /** Keys typed when the entry prompts. */
  keys: string;
  ending: Ending;
  body?: Record<string, unknown>;
}

const SCENARIOS: Scenario[] = [
  { card: 'visa', keys: `${TEST_CARDS.visa}<enter>${EXPIRY}<enter>`, ending: 'result' },
  { card: 'mastercard', keys: `${TEST_CARDS.mastercard}<enter>${EXPIRY}<enter>`, ending: 'result', body: { timeoutSeconds: 20 } },
  { card: 'american-express', keys: `${TEST_CARDS['american-express']}<enter>${EXPIRY}<enter>`, ending: 'result', body: { service: 'visa-master' } },
  { card: 'jcb', keys: `${TEST_CARDS.jcb}<enter>${PAST_EXPIRY}<enter>`, ending: 'result' },
  { card: 'luhn-fail', keys: `${TEST_CARDS['luhn-fail']}<enter>`.repeat(3), ending: 'result' },
  { card: 'discover', keys: TEST_CARDS.discover, ending: 'host-cancel' },
  { card: 'diners-club', keys: `${TEST_CARDS['diners-club']}<cancel>`, ending: 'keypad-cancel' },
  { card: 'unionpay', keys: TEST_CARDS.unionpay, ending: 'timeout', body: { timeoutSeconds: 1 } },
  { card: 'visa', keys: `${TEST_CARDS.visa}<enter>${EXPIRY.slice(0, 3)}`, ending: 'unplug' },
];

/** Every 6-digit window of a number. */
const windows = (pan: string): string[] => Array.from({ length: pan.length - 5 }, (_, i) => pan.slice(i, i + 6));

describe('no cleartext card data from the bridge', () => {
  it('answers, event streams and logs hold no card number, no 6 of its digits in a row, and no expiry', async () => {
    const surface: string[] = [];
    const sim = await simulator('pty');
    const { url, requests, changes } = await startTestBridge({
      device: sim.address,
      logger: streamLogger((line) => surface.push(line), 'debug'),
    });
    const record = (answer: JsonAnswer) => {
      surface.push(answer.text, JSON.stringify([...answer.headers]));
      return answer;
    };
    /**
     * Values that may hold any digits by chance (ids, tokens, hex, session ids, the port) or by design (the keypad's
     * serial number): masked before the digit-window scan, which the whole-number scan above does not need.
     */
    const random = new Set<string>([new URL(url).port, (await call(`${url}/health`)).body.device.serialNumber]);
    const endings: string[] = [];

    for (const scenario of SCENARIOS) {
      const created = record(await call(`${url}/entries`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(scenario.body ?? {}),
      })).body;
      random.add(created.id).add(created.token);
      let typing: Promise<void> | undefined;
      const stream = await readEventStream(`${url}/entries/${created.id}/events?token=${created.token}`, {
        onEvent: (e) => {
          if (e.data.state !== 'PAN' || typing) return;
          typing = sim.keypad.type(scenario.keys).then(async () => {
            if (scenario.ending === 'host-cancel') record(await deleteEntry(url, created.id, created.token));
            if (scenario.ending === 'unplug') await sim.vanish();
          });
        },
      });
      await typing;
      surface.push(stream.raw);
      const last = stream.events.at(-1)!;
      endings.push(`${last.event}${last.data.code ? ` ${last.data.code}` : ''}`);
      for (const e of stream.events) {
        for (const key of ['keySerialNumber', 'encryptedBlock', 'keySetId', 'sessionId', 'deadline']) if (e.data[key] != null) random.add(String(e.data[key]));
      }
      record(await call(`${url}/health`));
      record(await deleteEntry(url, created.id, created.token));
    }
    await sim.reappear();
    surface.push(JSON.stringify(requests), JSON.stringify(changes));

    // Every way to end was met, so every path's output is in the surface.
    expect(endings).toEqual([
      'result', 'result', 'error CARD_SERVICE', 'error CARD_SERVICE', 'error CARD_SERVICE', 'cancelled CANCELLED', 'cancelled CANCELLED',
      'error ENTRY_TIMEOUT', 'error CONNECTION',
    ]);
    const text = surface.join('\n');
    expect(text.length).toBeGreaterThan(5000);
    const pans = Object.values(TEST_CARDS);
    expect(findCardNumbers(text, pans)).toEqual([]);
    const masked = [...random].sort((a, b) => b.length - a.length).reduce((t, value) => t.split(value).join('<masked>'), text);
    const digitsOnly = masked.replace(/[ -]/g, '');
    const leaks = pans.flatMap((pan) => [`${pan.slice(0, 6)}${pan.slice(-4)}`, ...windows(pan)]).filter((run) => digitsOnly.includes(run));
    expect(leaks).toEqual([]);
    for (const expiry of [EXPIRY, PAST_EXPIRY]) {
      expect(masked).not.toContain(expiry);
      expect(masked).not.toContain(`${expiry.slice(0, 2)}/${expiry.slice(2)}`);
    }
  });
});
