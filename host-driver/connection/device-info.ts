import type { InfoMessage } from '../../protocol/index.js';
import type { DeviceInfo } from '../results.js';

/** INFO as the driver reports it: the key set id in hex, arrays copied. */
export function deviceInfoOf(info: InfoMessage, address: string): DeviceInfo {
  return {
    address,
    model: info.model,
    firmwareVersion: info.firmwareVersion,
    serialNumber: info.serialNumber,
    keySetId: Buffer.from(info.keySetId).toString('hex'),
    protocolVersion: info.protocolVersion,
    acceptedBrands: [...info.acceptedBrands],
  };
}
