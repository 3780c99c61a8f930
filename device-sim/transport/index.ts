export { parseDeviceAddress, formatDeviceAddress, DeviceAddressError, DeviceAddressErrorCode } from './address.js';
export type { DeviceAddress, DeviceAddressErrorCodeName, ParseDeviceAddressOptions } from './address.js';
export { PtyPort, PtyPortError } from './pty-port.js';
export type { PtyPortOptions } from './pty-port.js';
export { listenTcp, TcpListenerError } from './tcp-listener.js';
export type { TcpListener, TcpListenerOptions } from './tcp-listener.js';
export { NativeAddonMissingError } from './native-pty.js';
