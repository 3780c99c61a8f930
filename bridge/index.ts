/** tenkey bridge: the keypad over HTTP + server-sent events for a store's admin page (HTTP-API.md). */
export { startBridge, type RunningBridge, type BridgeHealth } from './bridge-server.js';
export {
  BridgeOptionsError, DEFAULT_BRIDGE_LISTEN, DEFAULT_BRIDGE_HOST, DEFAULT_BRIDGE_PORT, ENTRY_RETENTION_MS, KEEPALIVE_MS,
  parseAllowedOrigin, parseListenAddress, UNWATCHED_ENTRY_GRACE_MS, type BareEventSource, type BridgeOptions, type RequestLogEntry,
} from './bridge-options.js';
export type { KeypadHealth, KeypadStatus, KeypadDeviceJson } from './keypad-holder.js';
export { MAX_BODY_BYTES } from './request-body.js';
export { isLoopback } from './request-policy.js';
export { REQUEST_PROBLEM_STATUS, type RequestProblemCode, type ErrorJson } from './request-problem.js';
