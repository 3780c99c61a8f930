/**
 * openTenkey's settings, checked and defaulted before anything opens. Apart from open-tenkey.ts so that
 * tenkey/testing, which opens the same driver over an in-memory cable, never loads the serial and TCP transports.
 */
import { systemClock, type Brand } from '../protocol/index.js';
import { tenkeyError } from './errors.js';
import { silentLogger } from './logger.js';
import type { OverTransportSettings } from './open-over-transport.js';
import { invalidOpenTenkeyOption, type OpenTenkeyOptions } from './options.js';
import { acceptedBrandsOf, findCardService, unknownServiceError } from './services.js';

/** Default time allowed for opening the port and the HELLO → INFO handshake. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;

/**
 * openTenkey's options checked and defaulted, everything but the address. Throws a TenkeyError (INVALID_OPTIONS, DISABLED, UNKNOWN_SERVICE).
 */
export function checkedOpenSettings(options: OpenTenkeyOptions): Omit<OverTransportSettings, 'address' | 'openTransport'> {
  // Every option is checked before anything is opened: a bad one must not leave a port or socket behind.
  const invalid = invalidOpenTenkeyOption(options);
  if (invalid !== undefined) throw tenkeyError('INVALID_OPTIONS', invalid);
  if (options.enabled === false) throw tenkeyError('DISABLED', 'テンキーパッド入力 is OFF');
  let acceptedBrands: readonly Brand[] = [];
  if (options.service !== undefined) {
    const service = findCardService(options.service);
    if (!service) throw unknownServiceError(options.service);
    acceptedBrands = acceptedBrandsOf(service);
  }
  return {
    acceptedBrands,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    reconnect: options.reconnect ?? {},
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    link: options.link ?? {},
  };
}
