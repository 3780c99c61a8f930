/** startBridge's settings: checked before anything listens or opens, each mistake one clear typed error. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BridgeOptionsError, DEFAULT_BRIDGE_LISTEN, parseAllowedOrigin, parseListenAddress, startBridge } from '../../bridge/index.js';
import { TenkeyError } from '../../host-driver/index.js';
import { call, startTestBridge } from './bridge-harness.js';

describe('startBridge options', () => {
  it('listens on 127.0.0.1:7781 by default', () => {
    expect(DEFAULT_BRIDGE_LISTEN).toBe('127.0.0.1:7781');
    expect(parseListenAddress(DEFAULT_BRIDGE_LISTEN)).toEqual({ host: '127.0.0.1', port: 7781 });
  });

  it.each([['[::1]:0', { host: '::1', port: 0 }], ['localhost:8080', { host: 'localhost', port: 8080 }], ['0.0.0.0:7781', { host: '0.0.0.0', port: 7781 }]])(
    'reads listen %s',
    (text, expected) => expect(parseListenAddress(text)).toEqual(expected),
  );

  it.each(['7781', 'localhost', '127.0.0.1:', '127.0.0.1:65536', 'http://127.0.0.1:7781', '::1:7781', ''])('refuses listen %j with BAD_LISTEN', async (listen) => {
    await expect(startBridge({ device: 'tcp://127.0.0.1:1', listen })).rejects.toMatchObject({ name: 'BridgeOptionsError', code: 'BAD_LISTEN' });
  });

  it.each([['https://Shop.Example.com/', 'https://shop.example.com'], ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'], ['https://shop.example.com:443', 'https://shop.example.com']])(
    'allowed origin %s is matched as %s',
    (text, origin) => expect(parseAllowedOrigin(text)).toBe(origin),
  );

  it.each(['shop.example.com', 'ftp://shop.example.com', 'https://shop.example.com/admin', 'https://shop.example.com?x=1', 'https://user@shop.example.com', '*'])(
    'refuses allowed origin %j with BAD_ORIGIN',
    async (origin) => {
      const error = await startBridge({ device: 'tcp://127.0.0.1:1', listen: '127.0.0.1:0', allowOrigins: [origin] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BridgeOptionsError);
      expect(error).toMatchObject({ code: 'BAD_ORIGIN' });
    },
  );

  it.each([
    ['an unknown service', { service: 'no-such-service' }, 'CONNECTION', 'UNKNOWN_SERVICE'],
    ['a device that is no address', { device: 'keypad' }, 'CONNECTION', 'BAD_ADDRESS'],
    ['a connect timeout of 0', { connectTimeoutMs: 0 }, 'TEMPORARY', 'INVALID_OPTIONS'],
    ['a reconnect factor below 1', { reconnect: { factor: 0.5 } }, 'TEMPORARY', 'INVALID_OPTIONS'],
    ['an unwatched-entry grace of 0 ms', { unwatchedEntryGraceMs: 0 }, 'TEMPORARY', 'INVALID_OPTIONS'],
    ['an unwatched-entry grace that is not whole', { unwatchedEntryGraceMs: 1.5 }, 'TEMPORARY', 'INVALID_OPTIONS'],
  ])('refuses %s with the TenkeyError openTenkey would give', async (_name, options, code, reason) => {
    const error = await startBridge({ device: 'tcp://127.0.0.1:1', listen: '127.0.0.1:0', ...options }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code, reason });
  });

  it('a port already in use rejects with the listen error and opens no keypad', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      await expect(startBridge({ device: 'tcp://127.0.0.1:1', listen: `127.0.0.1:${port}` })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      taken.close();
    }
  });

  it('close() is idempotent and the port is free again afterwards', async () => {
    const { bridge, url } = await startTestBridge({ device: 'tcp://127.0.0.1:1', connected: false });
    await Promise.all([bridge.close(), bridge.close()]);
    await bridge.close();
    await expect(call(`${url}/health`)).rejects.toThrow();
    const again = await startBridge({ device: 'tcp://127.0.0.1:1', listen: `127.0.0.1:${bridge.port}` });
    expect(again.port).toBe(bridge.port);
    await again.close();
  });
});
