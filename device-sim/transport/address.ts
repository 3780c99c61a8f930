/**
 * The device address parser lives in the protocol library (protocol/device-address.ts): the simulator (where
 * to listen) and the host driver (where to connect) share it without the driver depending on the simulator.
 * Re-exported here for the simulator's own modules.
 */
export {
  DeviceAddressError, DeviceAddressErrorCode, formatDeviceAddress, parseDeviceAddress,
  type DeviceAddress, type DeviceAddressErrorCodeName, type ParseDeviceAddressOptions,
} from '../../protocol/device-address.js';
