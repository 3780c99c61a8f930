/**
 * Key scripts: what the virtual keypad types by itself at each START_ENTRY (`tenkey sim --keys`).
 *
 *   script = *( digit / "<enter>" / "<bs>" / "<clear>" / "<cancel>" / "<wait:" 1*digit ">" / whitespace )
 *
 * Digits type themselves; the four tags are the keypad's other keys; `<wait:MS>` pauses MS milliseconds on the
 * injected Clock; whitespace is ignored. Tag names are case-insensitive (`<ENTER>` = `<enter>`). Example: `4111111111111112<enter> 4111111111111111<enter> 1230<enter>`.
 * Hand-written: the grammar is five tokens, and a parser library would cost more than it saves.
 */
import type { Clock } from '../protocol/clock.js';
import { CodedError } from '../protocol/coded-error.js';
import type { KeypadKey } from './entry/keys.js';

export type KeyScriptStep = { kind: 'key'; key: KeypadKey } | { kind: 'wait'; ms: number };

export const KeyScriptErrorCode = {
  /** `<name>` that is not enter, bs, clear, cancel or wait:MS. */
  UNKNOWN_TAG: 'UNKNOWN_TAG',
  /** `<` without its `>`. */
  UNCLOSED_TAG: 'UNCLOSED_TAG',
  /** `<wait:…>` whose value is not a whole number of milliseconds (0 – 2^31-1). */
  BAD_WAIT: 'BAD_WAIT',
  /** A character that is neither a digit, whitespace nor the start of a tag. */
  UNEXPECTED_CHARACTER: 'UNEXPECTED_CHARACTER',
} as const;
export type KeyScriptErrorCodeName = keyof typeof KeyScriptErrorCode;

export class KeyScriptError extends CodedError<KeyScriptErrorCodeName> {
  constructor(
    code: KeyScriptErrorCodeName,
    message: string,
    /** 0-based offset in the script where the problem starts. */
    readonly position: number,
  ) {
    super(code, `${message} at column ${position + 1}`);
  }
}

const TAG_KEYS: Readonly<Record<string, KeypadKey>> = { enter: 'enter', bs: 'backspace', clear: 'clear', cancel: 'cancel' };
const KEY_TAGS: Readonly<Partial<Record<KeypadKey, string>>> = { enter: 'enter', backspace: 'bs', clear: 'clear', cancel: 'cancel' };
const MAX_WAIT_MS = 2 ** 31 - 1;
/** Every tag a script may use, as the errors list them. */
const KNOWN_TAGS = [...Object.keys(TAG_KEYS).map((tag) => `<${tag}>`), '<wait:MS>'].join(' ');

export function parseKeyScript(script: string): KeyScriptStep[] {
  const steps: KeyScriptStep[] = [];
  let i = 0;
  while (i < script.length) {
    const ch = script[i]!;
    if (ch >= '0' && ch <= '9') {
      steps.push({ kind: 'key', key: ch as KeypadKey });
      i++;
    } else if (/\s/.test(ch)) {
      i++;
    } else if (ch === '<') {
      const close = script.indexOf('>', i);
      const nextOpen = script.indexOf('<', i + 1);
      if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
        throw new KeyScriptError('UNCLOSED_TAG', `"<" is not closed by ">"`, i);
      }
      steps.push(parseTag(script.slice(i + 1, close), i));
      i = close + 1;
    } else {
      throw new KeyScriptError('UNEXPECTED_CHARACTER', `unexpected "${ch}" (digits and ${KNOWN_TAGS})`, i);
    }
  }
  return steps;
}

function parseTag(tag: string, position: number): KeyScriptStep {
  const name = tag.toLowerCase();
  const key = Object.hasOwn(TAG_KEYS, name) ? TAG_KEYS[name] : undefined;
  if (key !== undefined) return { kind: 'key', key };
  if (name.startsWith('wait:')) {
    const value = tag.slice('wait:'.length);
    const ms = /^[0-9]{1,10}$/.test(value) ? Number(value) : Number.NaN;
    if (!(ms <= MAX_WAIT_MS)) throw new KeyScriptError('BAD_WAIT', `<wait:${value}> needs whole milliseconds, e.g. <wait:500>`, position);
    return { kind: 'wait', ms };
  }
  throw new KeyScriptError('UNKNOWN_TAG', `unknown key <${tag}> (known: ${KNOWN_TAGS})`, position);
}

/** The canonical script text of `steps`; parseKeyScript(formatKeyScript(s)) deep-equals s. */
export function formatKeyScript(steps: readonly KeyScriptStep[]): string {
  return steps.map((step) => {
    if (step.kind === 'wait') return `<wait:${step.ms}>`;
    const tag = KEY_TAGS[step.key];
    return tag === undefined ? step.key : `<${tag}>`;
  }).join('');
}

/** A running script; stop() ends it before its next step (a pending wait is cancelled). */
export interface KeyScriptRun {
  /** Resolves when the script has typed its last key or was stopped; never rejects. */
  readonly finished: Promise<void>;
  stop(): void;
}

/**
 * Types `steps` through `press`: keys back to back, waits on `clock`. Keys between two waits are typed in one
 * go, so a script without waits is typed synchronously before this returns.
 */
export function runKeyScript(steps: readonly KeyScriptStep[], press: (key: KeypadKey) => void, clock: Clock): KeyScriptRun {
  let stopped = false;
  let timer: unknown;
  let wake: (() => void) | undefined;
  let index = 0;
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => { resolveFinished = resolve; });

  const advance = (): void => {
    wake = undefined;
    while (!stopped && index < steps.length) {
      const step = steps[index++]!;
      if (step.kind === 'key') {
        press(step.key);
        continue;
      }
      wake = advance;
      timer = clock.setTimeout(() => { timer = undefined; wake?.(); }, step.ms);
      return;
    }
    resolveFinished();
  };
  advance();

  return {
    finished,
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      wake = undefined;
      resolveFinished();
    },
  };
}
