import { openTenkeyOverTransport } from './open-over-transport.js';
import { checkedOpenSettings } from './open-settings.js';
import { DEFAULT_DEVICE_ADDRESS, type OpenTenkeyOptions } from './options.js';
import type { TenkeyKeypad } from './tenkey-keypad.js';
import { openTransport, parseKeypadAddress } from './transport/open-transport.js';

export { DEFAULT_CONNECT_TIMEOUT_MS } from './open-settings.js';

/**
 * Opens the keypad the settings name and resolves once it answered HELLO with INFO.
 *
 * Settings are checked before anything is opened: an option of the wrong type or out of range rejects
 * with TEMPORARY (reason INVALID_OPTIONS, a caller bug); `enabled: false` (テンキーパッド入力 OFF), an unknown
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
  const settings = checkedOpenSettings(options);
  const addressText = options.device ?? DEFAULT_DEVICE_ADDRESS;
  const address = parseKeypadAddress(addressText);
  const { connectTimeoutMs } = settings;

  return openTenkeyOverTransport({
    ...settings,
    address: addressText,
    openTransport: () => openTransport(address, {
      connectTimeoutMs,
      ...(options.baudRate !== undefined ? { baudRate: options.baudRate } : {}),
    }),
  });
}
