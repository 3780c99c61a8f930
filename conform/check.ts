/**
 * One conformance check: a device requirement of PROTOCOL.md, named by its section, and the steps that test it.
 * A check throws CheckFailed (the clause is broken) or CheckSkipped (it cannot run here); returning means it passed.
 */
import type { KeySource } from './key-source.js';
import type { ConformProbe } from './probe.js';

/** The group a check belongs to, in the order the report lists them. */
export type CheckGroup = 'framing' | 'refusals' | 'link' | 'handshake' | 'requests' | 'entry' | 'flows';

export interface CheckContext {
  readonly probe: ConformProbe;
  readonly keys: KeySource;
  /** A fresh START_ENTRY sessionId (non-zero, different each time, §5.4). */
  newSessionId(): number;
}

export interface ConformCheck {
  /** Stable id for --json and CI, e.g. `refusals.bad-crc`. */
  readonly id: string;
  readonly group: CheckGroup;
  /** PROTOCOL.md section(s), e.g. `§3.5 #6`. */
  readonly section: string;
  /** The requirement in one line. */
  readonly clause: string;
  /** Whether the keypad conforms only when this check passes (a skip of a required check is not a pass). */
  readonly required: boolean;
  /** How long the entry must stay without keys for the check (START_ENTRY checks); 0 when it starts no entry. */
  readonly idleWindowMs: number;
  run(context: CheckContext): Promise<void>;
}

export class CheckFailed extends Error {
  override readonly name = 'CheckFailed';
}

export class CheckSkipped extends Error {
  override readonly name = 'CheckSkipped';
}

/** Fails the check with `why` unless `condition` holds. */
export function must(condition: boolean, why: string): asserts condition {
  if (!condition) throw new CheckFailed(why);
}
