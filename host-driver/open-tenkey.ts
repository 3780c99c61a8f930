import { systemClock, type Brand } from '../protocol/index.js';
import { tenkeyError } from './errors.js';
import { silentLogger } from './logger.js';
import { DEFAULT_DEVICE_ADDRESS, invalidOpenTenkeyOption, type OpenTenkeyOptions } from './options.js';
import { acceptedBrandsOf, findCardService, unknownServiceDetail } from './services.js';
import { openTenkeyOverTransport } from './open-over-transport.js';
import type { TenkeyKeypad } from './tenkey-keypad.js';
import { openTransport, parseKeypadAddress } from './transport/open-transport.js';

/** Default time allowed for opening the port and the HELLO → INFO handshake. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;

/**
 * Opens the keypad the settings name and resolves once it answered HELLO with INFO.
 *
 * Settings are checked before anything is opened: an option of the wrong type or out of range rejects
 * with TEMPORARY (cause INVALID_OPTIONS, a caller bug); `enabled: false` (テンキーパッド入力 OFF), an unknown
 * `service` (利用サービス) or an unparseable `device` reject at once with a CONNECTION error.
 * Every failure is a {@link TenkeyError}; nothing here throws anything else.
 *
 * @example
 * const keypad = await openTenkey({ device: 'tcp://192.168.0.50:7780', service: 'temona-payment-g' });
 * keypad.on('progress', (p) => popup.showDots(p.digits));
 * const card = await keypad.readCard({ reveal: 3 });
 * await keypad.close();
 */
export async function openTenkey(options: OpenTenkeyOptions = {}): Promise<TenkeyKeypad> {
  // Every option is checked before anything is opened: a bad one must not leave a port or socket behind.
  const invalid = invalidOpenTenkeyOption(options);
  if (invalid !== undefined) throw tenkeyError('INVALID_OPTIONS', invalid);
  if (options.enabled === false) throw tenkeyError('DISABLED', 'テンキーパッド入力 is OFF');
  let acceptedBrands: readonly Brand[] = [];
  if (options.service !== undefined) {
    const service = findCardService(options.service);
    if (!service) throw tenkeyError('UNKNOWN_SERVICE', unknownServiceDetail(options.service));
    acceptedBrands = acceptedBrandsOf(service);
  }
  const addressText = options.device ?? DEFAULT_DEVICE_ADDRESS;
  const address = parseKeypadAddress(addressText);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const link = options.link ?? {};

  return openTenkeyOverTransport({
    address: addressText,
    openTransport: () => openTransport(address, {
      connectTimeoutMs,
      ...(options.baudRate !== undefined ? { baudRate: options.baudRate } : {}),
    }),
    acceptedBrands,
    clock,
    logger,
    reconnect: options.reconnect ?? {},
    connectTimeoutMs,
    link,
  });
}
