/** Every conformance check, in the order they run: the handshake first, then the rest by PROTOCOL.md section. */
import type { ConformCheck } from '../check.js';
import { ENTRY_CHECKS } from './entry.js';
import { FLOW_CHECKS } from './flows.js';
import { FRAMING_CHECKS } from './framing.js';
import { HANDSHAKE_CHECKS } from './handshake.js';
import { LINK_CHECKS } from './link.js';
import { REFUSAL_CHECKS } from './refusals.js';
import { REQUEST_CHECKS } from './requests.js';

export const CONFORM_CHECKS: readonly ConformCheck[] = [
  ...HANDSHAKE_CHECKS, ...FRAMING_CHECKS, ...REFUSAL_CHECKS, ...LINK_CHECKS, ...REQUEST_CHECKS, ...ENTRY_CHECKS, ...FLOW_CHECKS,
];
