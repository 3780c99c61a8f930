import { describe, expect, it } from 'vitest';
import { parseListen, SimulatorOptionsError, startSimulator } from '../../device-sim/index.js';
import { DeviceAddressError } from '../../device-sim/transport/address.js';

describe('simulator listen addresses', () => {
  it('defaults to a PTY and to port 7780 when tcp:// has no port', () => {
    expect(parseListen(undefined)).toEqual({ kind: 'pty' });
    expect(parseListen('tcp://')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 7780 });
    expect(parseListen('tcp://0.0.0.0')).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 7780 });
    expect(parseListen('tcp://127.0.0.1:0')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  });

  it('rejects other schemes and bad ports with typed errors', () => {
    expect(() => parseListen('udp://x:1')).toThrow(SimulatorOptionsError);
    expect(() => parseListen('tcp://127.0.0.1:99999')).toThrow(DeviceAddressError);
  });

  it('refuses a link for a TCP keypad', async () => {
    await expect(startSimulator({ listen: 'tcp://127.0.0.1:0', link: '/tmp/x' })).rejects.toBeInstanceOf(SimulatorOptionsError);
  });
});
