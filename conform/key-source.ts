/**
 * Where key presses come from when a check needs them. A real keypad: the operator, prompted on stderr. A
 * scriptable keypad driven in-process (tests, startSimulator): the keypad's own API. A keypad that types a fixed
 * script at each START_ENTRY by itself (`tenkey sim --keys SCRIPT`): nothing to do but know the script's timing.
 * Prompts never name digits: the operator is told what kind of number to type, not which.
 */
import { parseKeyScript } from '../device-sim/key-script.js';

/** What a check wants typed: words for a person, and the same as a key script for a keypad that takes one. */
export interface KeyRequest {
  /** For the operator, without digits: e.g. "a valid test card number of an accepted brand, then ENTER". */
  say: string;
  /** The same keys as a key script (device-sim/key-script.ts); never printed. */
  script: string;
}

export interface KeySource {
  /** 'ask': keys come when a check asks for them; 'self': the keypad types one script at each START_ENTRY. */
  readonly kind: 'ask' | 'self';
  /** How long an entry stays without keys unless a check asks for some (the self-typing script's first wait). */
  readonly idleWindowMs: number;
  /** How long a check waits for keys it asked for (a person is slower than a script). */
  readonly patienceMs: number;
  /** Has the keys typed (kind 'ask'); a self-typing keypad types its own script, so this does nothing. */
  type(request: KeyRequest): Promise<void>;
  /** Tells the operator something (e.g. "hands off the keypad"); silent for scripted keypads. */
  notice(text: string): void;
}

/** A person at a real keypad, prompted on `out` (stderr). */
export function operatorKeys(out: NodeJS.WritableStream, patienceMs = 60_000): KeySource {
  return {
    kind: 'ask',
    idleWindowMs: Number.POSITIVE_INFINITY,
    patienceMs,
    type: async (request) => {
      out.write(`  keypad: type ${request.say}\n`);
    },
    notice: (text) => {
      out.write(`  keypad: ${text}\n`);
    },
  };
}

/** A keypad driven through its API (e.g. `sim.keypad.type` of startSimulator): keys are typed when asked. */
export function apiKeys(type: (script: string) => unknown): KeySource {
  return {
    kind: 'ask',
    idleWindowMs: Number.POSITIVE_INFINITY,
    patienceMs: 10_000,
    type: async (request) => {
      await type(request.script);
    },
    notice: () => {},
  };
}

/**
 * A keypad that types `script` by itself at each START_ENTRY (`tenkey sim --keys SCRIPT`). The script's waits
 * before its first key are the window in which checks can time out, cancel or refuse an entry; the script
 * itself must complete one valid card (the flow check expects a RESULT).
 */
export function selfTypingKeys(script: string): KeySource {
  const steps = parseKeyScript(script);
  let idleWindowMs = 0;
  for (const step of steps) {
    if (step.kind === 'key') break;
    idleWindowMs += step.ms;
  }
  if (steps.every((step) => step.kind === 'wait')) idleWindowMs = Number.POSITIVE_INFINITY;
  const typingMs = steps.reduce((sum, step) => sum + (step.kind === 'wait' ? step.ms : 0), 0);
  return {
    kind: 'self',
    idleWindowMs,
    patienceMs: typingMs + 5_000,
    type: async () => {},
    notice: () => {},
  };
}
