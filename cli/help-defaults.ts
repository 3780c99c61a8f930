/**
 * The library's defaults that the verbs' --help shows, copied here so that registering a verb loads no library
 * code (the modules that define them pull in the driver, the bridge or the store). test/cli/help-defaults.test.ts
 * checks every copy against the library's own value, so they cannot drift apart.
 */
import { DEFAULT_TCP_HOST, DEFAULT_TCP_PORT } from '../protocol/constants.js';

/** host-driver/options.ts DEFAULT_DEVICE_ADDRESS: `tenkey read` / `doctor`'s --device. */
export const DEFAULT_DEVICE_ADDRESS = `tcp://${DEFAULT_TCP_HOST}:${DEFAULT_TCP_PORT}`;

/** bridge/bridge-options.ts DEFAULT_BRIDGE_LISTEN: `tenkey bridge --listen`. */
export const DEFAULT_BRIDGE_LISTEN = '127.0.0.1:7781';

/** demo-store/store-server.ts DEFAULT_STORE_HOST:DEFAULT_STORE_PORT: `tenkey demo-store --listen`. */
export const DEFAULT_STORE_LISTEN = '127.0.0.1:7782';

/** demo-store/store-settings.ts DEFAULT_STORE_SETTINGS' bridgeHost:bridgePort: `tenkey demo-store --bridge-listen`. */
export const DEFAULT_STORE_BRIDGE_ADDRESS = '127.0.0.1:7781';

/** replay/replay-capture.ts REPLAY_SPEED_RANGE: `tenkey replay --speed`. */
export const REPLAY_SPEED_RANGE = { min: 0.1, max: 1000 } as const;
