import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProtocolErrorCode, protocolError } from '../../protocol/errors.js';
import { DeviceErrorCode } from '../../protocol/messages.js';
import {
  CANCELLED_MESSAGES, DriverCause, ERROR_TABLE, OsErrorCode, STORE_MESSAGES, TENKEY_ERROR_CODES, TenkeyCancelledError, TenkeyError,
  fromDeviceError, osErrorCodeOf, outcomeOf, tenkeyError, toTenkeyError,
} from '../../host-driver/errors.js';
import { renderErrorTableMarkdown } from '../../host-driver/error-table-markdown.js';
import { CodedError } from '../../protocol/coded-error.js';

/** The store manual the four messages are quoted from (shared by every engineer of the project, outside the repo). */
const STORE_MANUAL = '/work/shared/store-manual.ja.txt';

const causesOf = (source: string) => ERROR_TABLE.filter((row) => row.source === source).map((row) => row.cause).sort();

describe('the error table', () => {
  it('maps every DeviceErrorCode exactly once', () => {
    expect(causesOf('device')).toEqual(Object.keys(DeviceErrorCode).sort());
  });

  it('maps every ProtocolErrorCode exactly once', () => {
    expect(causesOf('protocol')).toEqual(Object.keys(ProtocolErrorCode).sort());
  });

  it('maps every OS error code and driver cause exactly once', () => {
    expect(causesOf('os')).toEqual([...OsErrorCode].sort());
    expect(causesOf('driver')).toEqual(Object.keys(DriverCause).sort());
  });

  it('lands every cause on one of the four errors, or CANCELLED for the device cancel only', () => {
    for (const row of ERROR_TABLE) {
      if (row.cause === 'CANCELLED') expect(row.outcome).toBe('CANCELLED');
      else expect(TENKEY_ERROR_CODES).toContain(row.outcome);
    }
  });

  it.each([
    ['INVALID_CARD', 'CARD_SERVICE'], ['EXPIRED_CARD', 'CARD_SERVICE'], ['UNSUPPORTED_BRAND', 'CARD_SERVICE'],
    ['TIMEOUT', 'ENTRY_TIMEOUT'], ['SESSION_LIMIT', 'ENTRY_TIMEOUT'],
    ['BUSY', 'TEMPORARY'], ['KEY_EXHAUSTED', 'TEMPORARY'], ['INTERNAL', 'TEMPORARY'], ['BAD_REQUEST', 'TEMPORARY'],
    ['UNSUPPORTED_VERSION', 'TEMPORARY'], ['NO_SESSION', 'TEMPORARY'], ['NAK_RECEIVED', 'TEMPORARY'],
    ['NO_ACK', 'CONNECTION'], ['LINK_DEAD', 'CONNECTION'], ['ENOENT', 'CONNECTION'], ['EACCES', 'CONNECTION'],
    ['EBUSY', 'CONNECTION'], ['ECONNREFUSED', 'CONNECTION'], ['EHOSTUNREACH', 'CONNECTION'], ['ETIMEDOUT', 'CONNECTION'],
    ['ECONNRESET', 'CONNECTION'], ['EIO', 'CONNECTION'], ['ENOTTY', 'CONNECTION'], ['DISABLED', 'CONNECTION'],
    ['UNKNOWN_SERVICE', 'CONNECTION'], ['ENTRY_IN_PROGRESS', 'TEMPORARY'],
  ] as const)('maps %s to %s as the brief fixes it', (cause, code) => {
    expect(outcomeOf(cause)).toBe(code);
  });
});

describe('TenkeyError', () => {
  it('carries the store manual messages verbatim', () => {
    expect(tenkeyError('ENOENT').messageJa).toBe('テンキーパッドの接続状況や設定を確認ください。');
    expect(tenkeyError('INVALID_CARD').messageJa).toBe('クレジットカードの利用サービスを確認ください。');
    expect(tenkeyError('TIMEOUT').messageJa).toBe('もう一度テンキーパッドからクレジットカード情報を入力ください。');
    expect(tenkeyError('BUSY').messageJa).toBe(
      '一時的なエラーが発生しました。不便をおかけし申し訳ございません。しばらく時間をおいても、改善されない場合にはお問い合わせフォームよりお問い合わせください。',
    );
  });

  it('serialises to code, message, messageJa and cause', () => {
    const json = JSON.parse(JSON.stringify(tenkeyError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1')));
    expect(json).toEqual({
      code: 'CONNECTION', message: STORE_MESSAGES.CONNECTION.en, messageJa: STORE_MESSAGES.CONNECTION.ja,
      cause: 'ECONNREFUSED', detail: 'connect ECONNREFUSED 127.0.0.1:1',
    });
  });
});

describe('toTenkeyError', () => {
  it('classifies Node errors by their code', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(toTenkeyError(err)).toMatchObject({ code: 'CONNECTION', reason: 'ECONNREFUSED' });
  });

  it.each([
    ['Error: No such file or directory, cannot open /dev/nope', 'ENOENT'],
    ['Error: Permission denied, cannot open /dev/ttyS0', 'EACCES'],
    ['Error Resource temporarily unavailable Cannot lock port', 'EBUSY'],
    ['Error: Inappropriate ioctl for device, cannot open /dev/null', 'ENOTTY'],
  ])('reads serialport\'s strerror text "%s" as %s', (message, code) => {
    expect(osErrorCodeOf(new Error(message))).toBe(code);
    expect(toTenkeyError(new Error(message))).toMatchObject({ code: 'CONNECTION', reason: code });
  });

  it('classifies protocol errors by their code', () => {
    expect(toTenkeyError(protocolError('NO_ACK', 'no ack'))).toMatchObject({ code: 'CONNECTION', reason: 'NO_ACK' });
    expect(toTenkeyError(protocolError('NAK_RECEIVED', 'nak'))).toMatchObject({ code: 'TEMPORARY', reason: 'NAK_RECEIVED' });
  });

  it('passes driver errors and cancellations through unchanged', () => {
    const cancelled = new TenkeyCancelledError('keypad');
    expect(toTenkeyError(cancelled)).toBe(cancelled);
    const error = tenkeyError('DISABLED');
    expect(toTenkeyError(error)).toBe(error);
  });

  it('keeps the original error whole as the standard `cause` while detail stays one short line and JSON holds no stack', () => {
    const long = `Error: No such file or directory, cannot open /dev/${'x'.repeat(300)}`;
    const os = new Error(long);
    const error = toTenkeyError(os) as TenkeyError;
    expect(error).toMatchObject({ code: 'CONNECTION', reason: 'ENOENT' });
    expect(error.cause).toBe(os);
    expect(error.cause?.message).toBe(long);
    expect(error.original).toBe(os); // the deprecated name, kept for one release
    expect(error.detail!.length).toBeLessThanOrEqual(160);
    const json = JSON.stringify(error);
    expect(JSON.parse(json)).toMatchObject({ cause: 'ENOENT' });
    expect(json).not.toContain('original');
    expect(json).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(Object.keys(error)).not.toContain('cause');
    expect(Object.keys(error)).not.toContain('original');

    const protocol = protocolError('NO_ACK', 'no ack for seq 3');
    expect((toTenkeyError(protocol) as TenkeyError).cause).toBe(protocol);
    expect((toTenkeyError(new RangeError('boom')) as TenkeyError).cause).toBeInstanceOf(RangeError);
    const own = tenkeyError('DISABLED');
    expect(own.cause).toBeUndefined();
    expect('cause' in own).toBe(false); // absent, as the standard has it, not set to undefined
    expect(own.original).toBeUndefined();
  });

  it('is a CodedError: code is the store error, reason the precise one, and detail is redacted', () => {
    const error = tenkeyError('ECONNREFUSED', 'connect ECONNREFUSED 4111 1111 1111 1111');
    expect(error).toBeInstanceOf(CodedError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TenkeyError');
    expect([error.code, error.reason]).toEqual(['CONNECTION', 'ECONNREFUSED']);
    expect(error.detail).toBe('connect ECONNREFUSED [redacted]');
    expect(error.message).toBe(STORE_MESSAGES.CONNECTION.en);
    const cancelled = new TenkeyCancelledError('host');
    expect(cancelled).toBeInstanceOf(CodedError);
    expect([cancelled.name, cancelled.code, cancelled.reason, 'cause' in cancelled]).toEqual(['TenkeyCancelledError', 'CANCELLED', 'CANCELLED', false]);
    expect(JSON.parse(JSON.stringify(cancelled))).toMatchObject({ code: 'CANCELLED', cause: 'CANCELLED' });
  });

  it('turns anything unknown into TEMPORARY', () => {
    expect(toTenkeyError('a string')).toMatchObject({ code: 'TEMPORARY', reason: 'UNKNOWN' });
    expect(toTenkeyError(new RangeError('boom'))).toBeInstanceOf(TenkeyError);
  });
});

describe('fromDeviceError', () => {
  it('makes the keypad cancel key a cancellation, not an error', () => {
    const outcome = fromDeviceError('CANCELLED', '');
    expect(outcome).toBeInstanceOf(TenkeyCancelledError);
    expect(outcome).toMatchObject({ code: 'CANCELLED', by: 'keypad' });
  });

  it('maps device codes through the table', () => {
    expect(fromDeviceError('EXPIRED_CARD', 'expired')).toMatchObject({ code: 'CARD_SERVICE', reason: 'EXPIRED_CARD' });
  });
});

describe('the cancellation wording', () => {
  it.skipIf(!existsSync(STORE_MANUAL))('is not one of the store manual\'s messages, while the four store messages are verbatim from it', () => {
    const manual = readFileSync(STORE_MANUAL, 'utf8');
    for (const code of TENKEY_ERROR_CODES) expect(manual).toContain(STORE_MESSAGES[code].ja);
    expect(manual).not.toContain(CANCELLED_MESSAGES.ja);
  });

  it('is marked as tenkey\'s own wording in the README table', () => {
    const row = renderErrorTableMarkdown().split('\n').find((line) => line.includes(CANCELLED_MESSAGES.ja));
    expect(row).toContain("tenkey's own wording");
    expect(row).toContain('not an error');
  });
});

describe('renderErrorTableMarkdown', () => {
  it('lists the four store messages and every cause', () => {
    const markdown = renderErrorTableMarkdown();
    for (const code of TENKEY_ERROR_CODES) expect(markdown).toContain(STORE_MESSAGES[code].ja);
    for (const row of ERROR_TABLE) expect(markdown).toContain(`\`${row.cause}\``);
  });
});
