/** Every row of the bad-input table, grouped by area in the order README shows them. */
import type { BadInputRow } from './bad-input-row.js';
import { bridgeRows } from './rows-bridge.js';
import { captureRows } from './rows-capture.js';
import { cliRows } from './rows-cli.js';
import { keypadRows } from './rows-keypad.js';
import { peerRows } from './rows-peers.js';
import { storeRows } from './rows-store.js';
import { wireRows } from './rows-wire.js';

export const BAD_INPUT_ROWS: readonly BadInputRow[] = [...wireRows, ...peerRows, ...keypadRows, ...cliRows, ...captureRows, ...bridgeRows, ...storeRows];
