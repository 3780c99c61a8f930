/**
 * cli/help-defaults.ts copies the library defaults that the verbs' --help shows (so registering a verb loads no
 * library code): each copy must be the library's own value.
 */
import { describe, expect, it } from 'vitest';
import * as help from '../../cli/help-defaults.js';
import { DEFAULT_DEVICE_ADDRESS } from '../../host-driver/options.js';
import { DEFAULT_BRIDGE_LISTEN } from '../../bridge/bridge-options.js';
import { DEFAULT_STORE_HOST, DEFAULT_STORE_PORT } from '../../demo-store/store-server.js';
import { DEFAULT_STORE_SETTINGS } from '../../demo-store/store-settings.js';
import { REPLAY_SPEED_RANGE } from '../../replay/replay-capture.js';

describe("the verbs' help shows the library's defaults", () => {
  it.each([
    ['DEFAULT_DEVICE_ADDRESS (read, doctor --device)', help.DEFAULT_DEVICE_ADDRESS, DEFAULT_DEVICE_ADDRESS],
    ['DEFAULT_BRIDGE_LISTEN (bridge --listen)', help.DEFAULT_BRIDGE_LISTEN, DEFAULT_BRIDGE_LISTEN],
    ['DEFAULT_STORE_LISTEN (demo-store --listen)', help.DEFAULT_STORE_LISTEN, `${DEFAULT_STORE_HOST}:${DEFAULT_STORE_PORT}`],
    [
      'DEFAULT_STORE_BRIDGE_ADDRESS (demo-store --bridge-listen)', help.DEFAULT_STORE_BRIDGE_ADDRESS,
      `${DEFAULT_STORE_SETTINGS.bridgeHost}:${DEFAULT_STORE_SETTINGS.bridgePort}`,
    ],
  ])('%s', (_name, copy, library) => {
    expect(copy).toBe(library);
  });

  it('REPLAY_SPEED_RANGE (replay --speed)', () => {
    expect(help.REPLAY_SPEED_RANGE).toEqual(REPLAY_SPEED_RANGE);
  });

  it('copies nothing else (a new copy gets its check here)', () => {
    expect(Object.keys(help).sort()).toEqual([
      'DEFAULT_BRIDGE_LISTEN', 'DEFAULT_DEVICE_ADDRESS', 'DEFAULT_STORE_BRIDGE_ADDRESS', 'DEFAULT_STORE_LISTEN', 'REPLAY_SPEED_RANGE',
    ]);
  });
});
