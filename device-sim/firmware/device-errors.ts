/**
 * ERROR frames the firmware sends for an entry that did not end in a RESULT: code (PROTOCOL.md §5.12) and a short
 * ASCII detail for the host's logs. Details never carry card data.
 */
import type { DeviceErrorName } from '../../protocol/messages.js';
import type { EntryOutput } from '../entry/entry-machine.js';
import { toDeviceError } from '../entry/protocol-names.js';

export interface DeviceErrorReport {
  code: DeviceErrorName;
  detail: string;
}

const DETAILS: Readonly<Record<DeviceErrorName, string>> = {
  TIMEOUT: 'no key pressed before the inactivity timeout',
  CANCELLED: 'entry cancelled',
  INVALID_CARD: 'card number failed its check too many times',
  EXPIRED_CARD: 'card expired',
  UNSUPPORTED_BRAND: 'card brand not accepted by the card service',
  BUSY: 'an entry is already running',
  KEY_EXHAUSTED: 'DUKPT key counter exhausted',
  BAD_REQUEST: 'bad request',
  INTERNAL: 'internal device error',
  UNSUPPORTED_VERSION: 'no common protocol version',
  NO_SESSION: 'no such entry session',
  SESSION_LIMIT: 'entry session time limit reached',
};

export function deviceErrorReport(code: DeviceErrorName, detail: string = DETAILS[code]): DeviceErrorReport {
  return { code, detail };
}

/** The ERROR for an entry outcome; null for 'done' (a RESULT instead). */
export function outcomeErrorReport(output: EntryOutput): DeviceErrorReport | null {
  const code = toDeviceError(output);
  if (code === null) return null;
  if (output.outcome === 'cancelled') return deviceErrorReport(code, output.by === 'keypad' ? 'cancelled on the keypad' : 'cancelled by the host');
  return deviceErrorReport(code);
}
