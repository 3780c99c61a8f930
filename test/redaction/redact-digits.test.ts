/** The one redaction and the printable form of foreign text, by example and by property. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceText, MAX_DEVICE_TEXT, printableText } from '../../protocol/printable-text.js';
import { redactDigits } from '../../protocol/redact-digits.js';
import { arbLeakyText, holdsNumber } from './card-number-spellings.js';

describe('redactDigits', () => {
  it.each([
    ['4111 1111 1111 1111', '[redacted]'],
    ['/entries/4111.1111.1111.1111', '/entries/[redacted]'],
    ['4111_1111_1111_1111', '[redacted]'],
    ['4111%2F1111%2F1111%2F1111', '[redacted]'],
    ['4111&nbsp;1111&nbsp;1111&nbsp;1111', '[redacted]'],
    ['%34%31%31%31%31%31%31%31', '%[redacted]'],
    ['カード４１１１１１１１１１１１１１１１です', 'カード[redacted]です'],
  ])('masks example %#: separators, percent-encoding, entities, 全角 digits', (input, masked) => expect(redactDigits(input)).toBe(masked));

  it.each([
    'session=4294967294 seq=3 attempt=2', 'tcp://127.0.0.1:7780', 'last 3 digits: 111', '12345678901', 'POST /entries 201 3ms',
  ])('leaves %j alone: fewer than twelve digits in a run', (text) => expect(redactDigits(text)).toBe(text));

  it.each(['write it as tcp://192.168.0.50:7780', 'connect ECONNREFUSED 192.168.100.200:7780', 'listening on 192.168.100.200'])(
    'keeps an IPv4 address and port, the setting an error is about: %j', (text) => expect(redactDigits(text)).toBe(text));

  it.each([['192.168.0.50:77801234', '[redacted]'], ['1.2.3.4.5.6.7.8.9.1.2.3.4', '[redacted]'], ['192.168.0.500.1:7780', '[redacted]']])(
    'masks digit runs that only look like an address: %j', (text, masked) => expect(redactDigits(text)).toBe(masked));

  it('no Luhn-valid 13-19 digit number survives, in any spelling', () => {
    fc.assert(fc.property(arbLeakyText, ({ number, text }) => {
      expect(holdsNumber(text, number)).toBe(true);
      expect(holdsNumber(redactDigits(text), number)).toBe(false);
    }), { numRuns: 2000 });
  });

  it('reads a long hostile input in linear time (no backtracking blow-up)', () => {
    const text = '1-'.repeat(11).concat('-separated-').repeat(20_000);
    expect(redactDigits(text)).toBe(text);
  });
});

describe('printableText and deviceText', () => {
  it('shows control, line-breaking and bidi characters as escapes: nothing can forge a line or reach a terminal', () => {
    expect(deviceText('TK-10\ntenkey error: forged\x1b[2J\u202e\x9b\u2028')).toBe('TK-10\\ntenkey error: forged\\x1b[2J\\u202e\\x9b\\u2028');
  });

  it('caps the length, saying so with an ellipsis', () => {
    expect([...deviceText('あ'.repeat(1000))]).toHaveLength(MAX_DEVICE_TEXT);
    expect(deviceText('あ'.repeat(1000)).endsWith('…')).toBe(true);
    expect(deviceText('TK-10 テンキー')).toBe('TK-10 テンキー');
  });

  it('is one printable line, holding no card number, and the same when applied twice', () => {
    fc.assert(fc.property(arbLeakyText, fc.string({ unit: 'binary', maxLength: 40 }), ({ number, text }, noise) => {
      const once = printableText(noise + text + noise, 500);
      expect(once).not.toMatch(/[\p{Cc}\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069]/u);
      expect(holdsNumber(once, number)).toBe(false);
      expect(printableText(once, 500)).toBe(once);
    }), { numRuns: 1000 });
  });
});
