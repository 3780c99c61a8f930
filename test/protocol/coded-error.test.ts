import { describe, expect, it } from 'vitest';
import { CodedError, ProtocolError, isProtocolError } from '../../protocol/index.js';
import { protocolError } from '../../protocol/errors.js';
import { DeviceAddressError, parseDeviceAddress } from '../../protocol/device-address.js';
import { CryptoError } from '../../device-sim/crypto/errors.js';
import { FaultSpecError, KeyScriptError, parseFaultSpec, parseKeyScript, SimulatorOptionsError, UnknownServiceError } from '../../device-sim/index.js';
import { ScenarioKeysError } from '../../device-sim/test-cards.js';
import { NativeAddonMissingError } from '../../device-sim/transport/native-pty.js';
import { PtyPortError } from '../../device-sim/transport/pty-port.js';
import { TcpListenerError } from '../../device-sim/transport/tcp-listener.js';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('CodedError', () => {
  it('takes its name from the subclass, keeps code, message and cause', () => {
    class ExampleError extends CodedError<'A' | 'B'> {}
    const cause = new Error('below');
    const e = new ExampleError('B', 'went wrong', { cause });
    expect(e).toBeInstanceOf(ExampleError);
    expect(e).toBeInstanceOf(CodedError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ExampleError');
    expect(e.code).toBe('B');
    expect(e.message).toBe('went wrong');
    expect(e.cause).toBe(cause);
    expect(String(e)).toBe('ExampleError: went wrong');
    expect(e.stack?.split('\n')[0]).toBe('ExampleError: went wrong');
    expect('cause' in new ExampleError('A', 'no cause')).toBe(false);
  });

  it.each([
    ['ProtocolError', () => protocolError('BAD_CRC', 'crc', { got: 1 }), 'BAD_CRC'],
    ['CryptoError', () => new CryptoError('INVALID_KEY', 'key'), 'INVALID_KEY'],
    ['DeviceAddressError', () => thrown(() => parseDeviceAddress('')), 'EMPTY'],
    ['FaultSpecError', () => thrown(() => parseFaultSpec('')), 'EMPTY'],
    ['KeyScriptError', () => thrown(() => parseKeyScript('<nope>')), 'UNKNOWN_TAG'],
    ['ScenarioKeysError', () => new ScenarioKeysError('pan:x', 'unknown card'), 'BAD_ITEM'],
    ['UnknownServiceError', () => new UnknownServiceError('nope'), 'UNKNOWN_SERVICE'],
    ['SimulatorOptionsError', () => new SimulatorOptionsError('bad'), 'BAD_OPTIONS'],
    ['NativeAddonMissingError', () => new NativeAddonMissingError('missing'), 'NATIVE_ADDON_MISSING'],
    ['PtyPortError', () => new PtyPortError('PTY_CLOSED', 'closed'), 'PTY_CLOSED'],
    ['TcpListenerError', () => new TcpListenerError('CLOSED', 'closed'), 'CLOSED'],
  ])('%s is a CodedError with its own name and code %s', (name, make, code) => {
    const e = make() as CodedError;
    expect(e).toBeInstanceOf(CodedError);
    expect(e.name).toBe(name);
    expect(e.code).toBe(code);
  });

  it('keeps each error class its extra fields', () => {
    const p = protocolError('BAD_CRC', 'crc', { got: 1 });
    expect(p).toBeInstanceOf(ProtocolError);
    expect(isProtocolError(p)).toBe(true);
    expect(p.details).toEqual({ got: 1 });
    expect(new CryptoError('INVALID_KEY', 'key').details).toEqual({});
    expect((thrown(() => parseDeviceAddress('')) as DeviceAddressError).input).toBe('');
    expect((thrown(() => parseFaultSpec('')) as FaultSpecError).item).toBe('');
    const k = thrown(() => parseKeyScript('12x')) as KeyScriptError;
    expect([k.position, k.message]).toEqual([2, expect.stringMatching(/ at column 3$/)]);
    expect(new ScenarioKeysError('pan:x', 'unknown card').item).toBe('pan:x');
    expect(new UnknownServiceError('nope').service).toBe('nope');
  });
});
