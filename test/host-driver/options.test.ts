import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../host-driver/backoff.js';
import { resolveReadCardOptions } from '../../host-driver/options.js';
import { CARD_SERVICES, acceptedBrandsOf, findCardService } from '../../host-driver/services.js';
import { parseKeypadAddress } from '../../host-driver/transport/open-transport.js';
import { BrandCode } from '../../protocol/messages.js';

describe('readCard options', () => {
  it('defaults to 60 s, reveal 3, expiry required', () => {
    expect(resolveReadCardOptions({})).toEqual({ timeoutSeconds: 60, reveal: 3, expiryRequired: true });
  });

  it.each([{ reveal: 5 }, { reveal: -1 }, { reveal: 1.5 }, { timeoutSeconds: 0 }, { timeoutSeconds: 301 }])('refuses %o', (options) => {
    expect(resolveReadCardOptions(options)).toHaveProperty('invalid');
  });
});

describe('reconnect backoff', () => {
  it('doubles from the initial delay and stops growing at the bound', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 10].map((n) => backoffDelay(n))).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    expect(backoffDelay(3, { initialDelayMs: 10, maxDelayMs: 50 })).toBe(50);
  });
});

describe('card services (利用サービス)', () => {
  it('finds a service by id, case-insensitively, or by its Japanese name', () => {
    expect(findCardService('TEMONA-PAYMENT-G')?.id).toBe('temona-payment-g');
    expect(findCardService('テモナペイメントG')?.id).toBe('temona-payment-g');
    expect(findCardService('no-such-service')).toBeUndefined();
  });

  it('names only real brands', () => {
    for (const service of CARD_SERVICES) for (const brand of acceptedBrandsOf(service)) expect(Object.keys(BrandCode)).toContain(brand);
  });
});

describe('keypad addresses', () => {
  it('parses serial paths and tcp://HOST:PORT', () => {
    expect(parseKeypadAddress('/dev/ttyUSB0')).toEqual({ kind: 'serial', path: '/dev/ttyUSB0' });
    expect(parseKeypadAddress('tcp://192.168.0.50:7780')).toEqual({ kind: 'tcp', host: '192.168.0.50', port: 7780 });
  });

  it.each(['', 'http://x:1', 'tcp://host', '192.168.0.50:7780', 'tcp://h:99999'])('refuses %j as CONNECTION / BAD_ADDRESS', (address) => {
    expect(() => parseKeypadAddress(address)).toThrow(expect.objectContaining({ code: 'CONNECTION', reason: 'BAD_ADDRESS' }));
  });
});
