/**
 * 設定 > 重要項目設定: the store settings the manual names (利用サービス, テンキーパッド入力 ON/OFF, プライベートIP and
 * ポート番号 = where the page finds the bridge) plus the keypad's inactivity timeout. Held in memory by the server.
 */
import { isIP } from 'node:net';
import { printableText } from '../protocol/printable-text.js';
import { CARD_SERVICES, findCardService } from '../host-driver/services.js';
import { CodedError } from '../protocol/coded-error.js';

export interface StoreSettings {
  /** 利用サービス: a CARD_SERVICES id. */
  service: string;
  /** テンキーパッド入力: OFF = the card button shows the CONNECTION message and never contacts the bridge. */
  keypadInput: boolean;
  /** プライベートIP of the PC running `tenkey bridge`. */
  bridgeHost: string;
  /** ポート番号 of the bridge. */
  bridgePort: number;
  /** Keypad inactivity timeout (seconds) sent with each entry. */
  entryTimeoutSeconds: number;
}

/** The bridge's default address (bridge/HTTP-API.md): with these the settings work as they come. */
export const DEFAULT_STORE_SETTINGS: Readonly<StoreSettings> = Object.freeze({
  service: 'all',
  keypadInput: true,
  bridgeHost: '127.0.0.1',
  bridgePort: 7781,
  entryTimeoutSeconds: 60,
});

/** A settings change the store refuses; `field` names the offending field. */
export class StoreSettingsError extends CodedError<'BAD_SETTING'> {
  constructor(readonly field: string, message: string) {
    super('BAD_SETTING', message);
  }
}

type FieldCheck = (value: unknown) => string | undefined;

const integerIn = (min: number, max: number): FieldCheck => (value) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? undefined : `must be an integer from ${min} to ${max}`;

const FIELD_CHECKS: Record<keyof StoreSettings, FieldCheck> = {
  service: (value) => (typeof value === 'string' && findCardService(value) !== undefined
    ? undefined : `must be one of ${CARD_SERVICES.map((s) => s.id).join(', ')}`),
  keypadInput: (value) => (typeof value === 'boolean' ? undefined : 'must be true or false'),
  bridgeHost: (value) => (typeof value === 'string' && (isIP(value) !== 0 || value === 'localhost') ? undefined : 'must be an IP address'),
  bridgePort: integerIn(1, 65535),
  entryTimeoutSeconds: integerIn(1, 300),
};

/** `current` with the fields of `change` applied; throws StoreSettingsError for an unknown field or a bad value. */
export function applySettingsChange(current: Readonly<StoreSettings>, change: unknown): StoreSettings {
  if (typeof change !== 'object' || change === null || Array.isArray(change)) throw new StoreSettingsError('', 'settings must be a JSON object');
  const next: StoreSettings = { ...current };
  for (const [field, value] of Object.entries(change)) {
    if (!Object.hasOwn(FIELD_CHECKS, field)) {
      // The name is the client's: it may be anything, a card number included.
      const shown = printableText(field, 60);
      throw new StoreSettingsError(shown, `unknown setting "${shown}"`);
    }
    const problem = FIELD_CHECKS[field as keyof StoreSettings](value);
    if (problem !== undefined) throw new StoreSettingsError(field, `${field} ${problem}`);
    (next as unknown as Record<string, unknown>)[field] = field === 'service' ? findCardService(value as string)!.id : value;
  }
  return next;
}
