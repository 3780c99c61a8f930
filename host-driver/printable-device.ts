/** The keypad's own words (INFO's model, firmware, serial: any UTF-8, PROTOCOL.md §5.9) as they may be printed, logged or sent on. */
import { deviceText } from '../protocol/printable-text.js';
import type { DeviceInfo } from './results.js';

/** `info` with its device-chosen strings made printable (escaped, capped, digit runs masked); the rest as it was. */
export function printableDevice(info: DeviceInfo): DeviceInfo {
  return { ...info, model: deviceText(info.model), firmwareVersion: deviceText(info.firmwareVersion), serialNumber: deviceText(info.serialNumber) };
}
