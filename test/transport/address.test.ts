import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DeviceAddressError,
  formatDeviceAddress,
  parseDeviceAddress,
  type DeviceAddress,
} from '../../device-sim/transport/address.js';

function codeOf(input: string, options?: { allowEphemeralPort?: boolean }): string {
  try {
    parseDeviceAddress(input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(DeviceAddressError);
    return (error as DeviceAddressError).code;
  }
  throw new Error(`"${input}" was accepted`);
}

describe('parseDeviceAddress', () => {
  it('parses tcp://HOST:PORT for IPv4, host names and bracketed IPv6', () => {
    expect(parseDeviceAddress('tcp://192.168.0.50:7780')).toEqual({ kind: 'tcp', host: '192.168.0.50', port: 7780 });
    expect(parseDeviceAddress('  TCP://keypad-1.shop.local:1/ ')).toEqual({ kind: 'tcp', host: 'keypad-1.shop.local', port: 1 });
    expect(parseDeviceAddress('tcp://[::1]:65535')).toEqual({ kind: 'tcp', host: '::1', port: 65535 });
  });

  it('takes paths and COM ports as serial ports', () => {
    for (const path of ['/dev/ttyUSB0', '/dev/pts/3', '/tmp/tenkey-x/ttyTENKEY0', './ttyTENKEY0', 'COM3', '\\\\.\\COM12']) {
      expect(parseDeviceAddress(path)).toEqual({ kind: 'serial', path });
    }
  });

  it('rejects a missing port, also in a bare HOST:PORT without the scheme', () => {
    expect(codeOf('tcp://192.168.0.50')).toBe('MISSING_PORT');
    expect(codeOf('tcp://192.168.0.50:')).toBe('MISSING_PORT');
    expect(codeOf('tcp://[::1]')).toBe('MISSING_PORT');
    expect(codeOf('192.168.0.50:7780')).toBe('MISSING_PORT');
    expect(() => parseDeviceAddress('192.168.0.50:7780')).toThrow('tcp://192.168.0.50:7780');
  });

  it('rejects ports out of range or not decimal; port 0 only for a listener', () => {
    for (const port of ['0', '65536', '99999', '-1', '77a', '7780.0', '0x10', '123456']) {
      expect(codeOf(`tcp://127.0.0.1:${port}`)).toBe('BAD_PORT');
    }
    expect(parseDeviceAddress('tcp://127.0.0.1:0', { allowEphemeralPort: true })).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  });

  it('rejects unknown schemes, bad hosts, empty input and non-paths', () => {
    expect(codeOf('udp://127.0.0.1:7780')).toBe('UNKNOWN_SCHEME');
    expect(codeOf('serial:///dev/ttyUSB0')).toBe('UNKNOWN_SCHEME');
    expect(codeOf('tcp://:7780')).toBe('BAD_HOST');
    expect(codeOf('tcp://999.1.1.1:7780')).toBe('BAD_HOST');
    expect(codeOf('tcp://bad_host:7780')).toBe('BAD_HOST');
    expect(codeOf('tcp://[::1:7780')).toBe('BAD_HOST');
    expect(codeOf('tcp://[nothex]:7780')).toBe('BAD_HOST');
    expect(codeOf('tcp://user@host:7780')).toBe('BAD_HOST');
    expect(codeOf('')).toBe('EMPTY');
    expect(codeOf('   ')).toBe('EMPTY');
    expect(codeOf('ttyUSB0')).toBe('NOT_A_PATH');
  });

  it('round-trips every address it formats', () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.'));
    const address: fc.Arbitrary<DeviceAddress> = fc.oneof(
      fc.record({ kind: fc.constant('tcp' as const), host: fc.oneof(ipv4, fc.domain(), fc.ipV6()), port: fc.integer({ min: 1, max: 65535 }) }),
      fc.record({ kind: fc.constant('serial' as const), path: fc.stringMatching(/^\/dev\/[a-zA-Z0-9/_.-]{1,20}$/) }),
    );
    fc.assert(
      fc.property(address, (a) => {
        expect(parseDeviceAddress(formatDeviceAddress(a))).toEqual(a);
      }),
    );
  });

  it('never throws anything but a DeviceAddressError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `tcp://${s}`)), (input) => {
        try {
          parseDeviceAddress(input);
        } catch (error) {
          expect(error).toBeInstanceOf(DeviceAddressError);
        }
      }),
    );
  });
});
