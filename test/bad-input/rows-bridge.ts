/** The bridge's bad-input rows (written by the bridge's own work; empty until then). */
import type { BadInputRow } from './bad-input-row.js';

export const bridgeRows: BadInputRow[] = [];
