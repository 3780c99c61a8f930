import { DeviceAddressError, parseDeviceAddress, type DeviceAddress } from '../../protocol/device-address.js';
import { tenkeyError } from '../errors.js';
import type { ByteTransport } from './byte-transport.js';
import { openSerialTransport } from './serial-transport.js';
import { openTcpTransport } from './tcp-transport.js';
import { openTtyStreamTransport, ttyStreamSupported } from './tty-stream-transport.js';

export interface OpenTransportOptions {
  baudRate?: number;
  connectTimeoutMs?: number;
}

/**
 * Opens the transport an address names. A serial port on Linux or macOS moves its bytes on a libuv TTY stream
 * (tty-stream-transport.ts); elsewhere (Windows COM ports) serialport reads and writes it. Rejects with the OS error as it came (the connection classifies it),
 * or CONNECTION / CONNECT_TIMEOUT when opening takes longer than `connectTimeoutMs`.
 */
export function openTransport(address: DeviceAddress, options: OpenTransportOptions = {}): Promise<ByteTransport> {
  if (address.kind === 'tcp') {
    return openTcpTransport(address.host, address.port, options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {});
  }
  const open = ttyStreamSupported() ? openTtyStreamTransport : openSerialTransport;
  return open(address.path, {
    ...(options.baudRate !== undefined ? { baudRate: options.baudRate } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
}

/**
 * Parses `tcp://HOST:PORT` or a serial path with the address rules the simulator shares. A bad
 * address is a settings problem: TenkeyError CONNECTION, reason BAD_ADDRESS.
 */
export function parseKeypadAddress(address: string): DeviceAddress {
  try {
    return parseDeviceAddress(typeof address === 'string' ? address : '');
  } catch (e) {
    if (e instanceof DeviceAddressError) throw tenkeyError('BAD_ADDRESS', e.message);
    throw e;
  }
}
