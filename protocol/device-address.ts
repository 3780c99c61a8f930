import { isIPv4, isIPv6 } from 'node:net';
import { CodedError } from './coded-error.js';

/**
 * Device addresses as users type them: `tcp://HOST:PORT` for a keypad on the store LAN, a path for a serial
 * port (`/dev/ttyUSB0`, `/dev/pts/3`, a symlink, `COM3`). Shared by the simulator (where to listen) and the
 * host driver (where to connect), so both accept and reject exactly the same strings. Part of the protocol
 * library (it imports nothing but node:net) so the driver needs nothing from the simulator.
 */
export type DeviceAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'serial'; path: string };

export const DeviceAddressErrorCode = {
  /** Nothing given (empty or only spaces). */
  EMPTY: 'EMPTY',
  /** `something://` other than `tcp://`. */
  UNKNOWN_SCHEME: 'UNKNOWN_SCHEME',
  /** `tcp://HOST` without `:PORT`, or a bare `HOST:PORT` without the scheme. */
  MISSING_PORT: 'MISSING_PORT',
  /** Port not a decimal integer in 1–65535 (0 only where a listener may take an ephemeral port). */
  BAD_PORT: 'BAD_PORT',
  /** Host part empty or not a plausible hostname / IPv4 / bracketed IPv6 address. */
  BAD_HOST: 'BAD_HOST',
  /** Neither a URL nor something that looks like a serial port path. */
  NOT_A_PATH: 'NOT_A_PATH',
} as const;
export type DeviceAddressErrorCodeName = keyof typeof DeviceAddressErrorCode;

export class DeviceAddressError extends CodedError<DeviceAddressErrorCodeName> {
  constructor(
    code: DeviceAddressErrorCodeName,
    message: string,
    readonly input: string,
  ) {
    super(code, message);
  }
}

export interface ParseDeviceAddressOptions {
  /** Accept port 0 (a listener's "any free port"); a host connecting never may. Default false. */
  allowEphemeralPort?: boolean;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const NUMERIC_HOST = /^[0-9.]+$/;
const WINDOWS_PORT = /^(?:\\\\\.\\)?COM[0-9]+$/i;

export function parseDeviceAddress(input: string, options: ParseDeviceAddressOptions = {}): DeviceAddress {
  const text = input.trim();
  if (text === '') throw new DeviceAddressError('EMPTY', 'no device address given', input);

  const scheme = SCHEME.exec(text)?.[1];
  if (scheme !== undefined) {
    if (scheme.toLowerCase() !== 'tcp') {
      throw new DeviceAddressError(
        'UNKNOWN_SCHEME',
        `unknown address scheme "${scheme}://": use tcp://HOST:PORT or a serial port path`,
        input,
      );
    }
    return parseTcpAuthority(text.slice(scheme.length + 3).replace(/\/$/, ''), input, options);
  }

  if (text.startsWith('/') || text.startsWith('./') || text.startsWith('../') || WINDOWS_PORT.test(text)) {
    return { kind: 'serial', path: text };
  }
  if (/^[^/\\\s]+:[0-9]+$/.test(text)) {
    throw new DeviceAddressError('MISSING_PORT', `"${text}" looks like HOST:PORT: write it as tcp://${text}`, input);
  }
  throw new DeviceAddressError(
    'NOT_A_PATH',
    `"${text}" is neither tcp://HOST:PORT nor a serial port path (/dev/ttyUSB0, COM3)`,
    input,
  );
}

/** The canonical string form; parseDeviceAddress(formatDeviceAddress(a)) deep-equals a. */
export function formatDeviceAddress(address: DeviceAddress): string {
  if (address.kind === 'serial') return address.path;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `tcp://${host}:${address.port}`;
}

function parseTcpAuthority(authority: string, input: string, options: ParseDeviceAddressOptions): DeviceAddress {
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) throw new DeviceAddressError('BAD_HOST', `unclosed "[" in IPv6 address "${authority}"`, input);
    host = authority.slice(1, close);
    const rest = authority.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) {
      throw new DeviceAddressError('BAD_HOST', `unexpected "${rest}" after IPv6 address`, input);
    }
    portText = rest === '' ? undefined : rest.slice(1);
    if (!isIPv6(host)) {
      throw new DeviceAddressError('BAD_HOST', `"${host}" is not an IPv6 address`, input);
    }
  } else {
    const colon = authority.lastIndexOf(':');
    host = colon < 0 ? authority : authority.slice(0, colon);
    portText = colon < 0 ? undefined : authority.slice(colon + 1);
    if (host === '') throw new DeviceAddressError('BAD_HOST', `no host in "${input.trim()}"`, input);
    const plausible = NUMERIC_HOST.test(host) ? isIPv4(host) : HOSTNAME.test(host);
    if (!plausible) throw new DeviceAddressError('BAD_HOST', `"${host}" is not a valid host name or IPv4 address`, input);
  }
  if (portText === undefined || portText === '') {
    throw new DeviceAddressError('MISSING_PORT', `no port in "${input.trim()}": write tcp://${authority.replace(/:$/, '')}:PORT`, input);
  }
  const minPort = options.allowEphemeralPort === true ? 0 : 1;
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= minPort && port <= 65535)) {
    throw new DeviceAddressError('BAD_PORT', `port "${portText}" is not a number from ${minPort} to 65535`, input);
  }
  return { kind: 'tcp', host, port };
}
