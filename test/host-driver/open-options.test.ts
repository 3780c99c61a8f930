/**
 * openTenkey checks every option before it opens anything: a bad one is one TEMPORARY / INVALID_OPTIONS
 * (a caller bug), never a raw TypeError, and never a port or socket left open behind the rejection.
 */
import { describe, expect, it } from 'vitest';
import { openTenkey, TenkeyError } from '../../host-driver/index.js';
import { open, rejectionOf, simulator } from './harness.js';

const BAD_OPTIONS: [string, Record<string, unknown>][] = [
  ['a negative ACK timeout', { link: { ackTimeoutMs: -1 } }],
  ['an ACK timeout past what a timer can wait', { link: { ackTimeoutMs: 2 ** 31 } }],
  ['a keepalive of false for the ACK timeout', { link: { ackTimeoutMs: false } }],
  ['a NaN connect timeout', { connectTimeoutMs: Number.NaN }],
  ['a zero connect timeout', { connectTimeoutMs: 0 }],
  ['a connect timeout past what a timer can wait', { connectTimeoutMs: 2 ** 31 }],
  ['a baud rate that is not a number', { baudRate: 'abc' }],
  ['a fractional retransmission count', { link: { maxRetransmissions: 1.5 } }],
  ['a keepalive of Infinity', { link: { pingIntervalMs: Number.POSITIVE_INFINITY } }],
  ['a link that is not an object', { link: 5 }],
  ['a keepalive jitter of a whole interval', { link: { pingJitter: 1 } }],
  ['a keepalive jitter that is not a number', { link: { pingJitter: '20%' } }],
  ['a reconnect factor below 1', { reconnect: { factor: 0.5 } }],
  ['a negative reconnect delay', { reconnect: { initialDelayMs: -5 } }],
  ['a logger without methods', { logger: {} }],
  ['a clock without methods', { clock: { now: () => 0 } }],
  ['enabled as a string', { enabled: 'no' }],
  ['service as a number', { service: 7 }],
];

describe('openTenkey options', () => {
  it.each(BAD_OPTIONS)('refuses %s with TEMPORARY / INVALID_OPTIONS before touching the keypad', async (_name, bad) => {
    const sim = await simulator('tcp');
    let attached = 0;
    sim.keypad.on('connection', () => attached++);
    const error = await rejectionOf(openTenkey({ device: sim.address, reconnect: false, ...bad }));
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code: 'TEMPORARY', reason: 'INVALID_OPTIONS' });
    expect(attached).toBe(0);
    // Nothing was left holding the keypad: the next open is served, not refused BUSY.
    const keypad = await open({ device: sim.address, reconnect: false });
    expect(keypad.status).toBe('connected');
  });

  it.each([
    ['null', null],
    ['a string', 'tcp://127.0.0.1:7780'],
    ['a device that is not a string', { device: 7780 }],
  ])('refuses options that are %s with TEMPORARY / INVALID_OPTIONS', async (_name, options) => {
    expect(await rejectionOf(openTenkey(options as never))).toMatchObject({ code: 'TEMPORARY', reason: 'INVALID_OPTIONS' });
  });

  it('accepts every valid option together', async () => {
    const sim = await simulator('tcp');
    const keypad = await open({
      device: sim.address, enabled: true, service: 'gmo-pg', connectTimeoutMs: 2000, baudRate: 9600,
      reconnect: { initialDelayMs: 0, maxDelayMs: 100, factor: 1 },
      link: { ackTimeoutMs: 100, maxRetransmissions: 0, pingIntervalMs: false, deadAfterMs: false },
    });
    expect(keypad.status).toBe('connected');
  });
});
