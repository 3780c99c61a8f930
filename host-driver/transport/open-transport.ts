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
  const open = serialTransportKind() === 'tty-stream' ? openTtyStreamTransport : openSerialTransport;
  return open(address.path, {
    ...(options.baudRate !== undefined ? { baudRate: options.baudRate } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
}

/**
 * Which transport moves a serial port's bytes: the tty stream where the platform has one, unless
 * `TENKEY_SERIAL_TRANSPORT=serialport` asks for serialport's own reads and writes (an escape hatch should an adapter's
 * driver misbehave with a second descriptor; serialport opens and configures the port either way).
 */
export function serialTransportKind(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): 'tty-stream' | 'serialport' {
  if (env['TENKEY_SERIAL_TRANSPORT'] === 'serialport') return 'serialport';
  return ttyStreamSupported(platform) ? 'tty-stream' : 'serialport';
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
