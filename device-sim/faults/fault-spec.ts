/**
 * `--fault SPEC`: what can go wrong on the virtual keypad's wire, written as comma-separated items.
 *
 * Grammar (whitespace around items is ignored, names are lowercase, each name at most once):
 *
 *   spec     = "none" / item *( "," item )
 *   item     = rate-item / duration-item / "seed=" uint32 / flag
 *   rate-item     = ( "drop" / "corrupt" / "duplicate" ) "=" rate     ; per byte, independently
 *   rate          = decimal in [0, 1]  /  decimal "%" in [0, 100]     ; 0.01 and 1% are the same
 *   duration-item = ( "delay" / "vanish-after" ) "=" duration
 *   duration      = decimal ( "ms" / "s" )                            ; a unit is required: 20ms, 1.5s
 *   flag          = "silent" / "busy" / "exhaust-key"                 ; no value
 *
 *   drop=P          each byte is lost with probability P
 *   corrupt=P       each byte that survives has one random bit flipped with probability P
 *   duplicate=P     each byte that survives is sent twice with probability P
 *   delay=D         every chunk reaches the other side D later (order kept; timed by the injected Clock)
 *   seed=N          PRNG seed for the rates above (default 1): the same seed replays the same faults
 *   silent          the device never sends a byte (a dead or switched-off keypad)
 *   busy            the device answers every START_ENTRY with ERROR BUSY            (simulator behaviour)
 *   exhaust-key     the DUKPT key counter is at its end: entries fail KEY_EXHAUSTED  (simulator behaviour)
 *   vanish-after=D  the device disappears ("unplugged") D after it starts            (simulator behaviour)
 *
 * Example: `drop=0.01,corrupt=1%,duplicate=0.005,delay=20ms,seed=42`.
 */
import { CodedError } from '../../protocol/coded-error.js';

export interface FaultSpec {
  /** Per-byte probability of losing the byte, 0–1. */
  drop: number;
  /** Per-byte probability of flipping one random bit, 0–1. */
  corrupt: number;
  /** Per-byte probability of sending the byte twice, 0–1. */
  duplicate: number;
  /** Delay added to every chunk, ms (0 = none). */
  delayMs: number;
  /** PRNG seed (uint32). */
  seed: number;
  /** Swallow everything the device would send. */
  silent: boolean;
  /** Refuse entries with BUSY. */
  busy: boolean;
  /** Key counter exhausted: entries fail KEY_EXHAUSTED. */
  exhaustKey: boolean;
  /** Disappear this long after start, ms; null = never. */
  vanishAfterMs: number | null;
}

export const DEFAULT_FAULT_SEED = 1;

/** No faults at all. */
export const NO_FAULTS: Readonly<FaultSpec> = Object.freeze({
  drop: 0,
  corrupt: 0,
  duplicate: 0,
  delayMs: 0,
  seed: DEFAULT_FAULT_SEED,
  silent: false,
  busy: false,
  exhaustKey: false,
  vanishAfterMs: null,
});

export const FaultSpecErrorCode = {
  EMPTY: 'EMPTY',
  UNKNOWN_FAULT: 'UNKNOWN_FAULT',
  DUPLICATE_FAULT: 'DUPLICATE_FAULT',
  MISSING_VALUE: 'MISSING_VALUE',
  UNEXPECTED_VALUE: 'UNEXPECTED_VALUE',
  BAD_RATE: 'BAD_RATE',
  BAD_DURATION: 'BAD_DURATION',
  BAD_SEED: 'BAD_SEED',
} as const;
export type FaultSpecErrorCodeName = keyof typeof FaultSpecErrorCode;

export class FaultSpecError extends CodedError<FaultSpecErrorCodeName> {
  constructor(
    code: FaultSpecErrorCodeName,
    message: string,
    readonly item: string,
  ) {
    super(code, message);
  }
}

const RATES = { drop: 'drop', corrupt: 'corrupt', duplicate: 'duplicate' } as const;
const DURATIONS = { delay: 'delayMs', 'vanish-after': 'vanishAfterMs' } as const;
const FLAGS = { silent: 'silent', busy: 'busy', 'exhaust-key': 'exhaustKey' } as const;
const KNOWN = [...Object.keys(RATES), ...Object.keys(DURATIONS), 'seed', ...Object.keys(FLAGS)];
const DECIMAL = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

export function parseFaultSpec(text: string): FaultSpec {
  if (text.trim() === '') throw new FaultSpecError('EMPTY', 'empty fault spec', text);
  const spec: FaultSpec = { ...NO_FAULTS };
  if (text.trim() === 'none') return spec;
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const item = raw.trim();
    const equals = item.indexOf('=');
    const name = equals < 0 ? item : item.slice(0, equals).trim();
    const value = equals < 0 ? undefined : item.slice(equals + 1).trim();
    if (!KNOWN.includes(name)) {
      throw new FaultSpecError('UNKNOWN_FAULT', `unknown fault "${name}" (known: ${KNOWN.join(', ')})`, item);
    }
    if (seen.has(name)) throw new FaultSpecError('DUPLICATE_FAULT', `"${name}" given twice`, item);
    seen.add(name);

    if (name in FLAGS) {
      if (value !== undefined) throw new FaultSpecError('UNEXPECTED_VALUE', `"${name}" takes no value`, item);
      spec[FLAGS[name as keyof typeof FLAGS]] = true;
      continue;
    }
    if (value === undefined || value === '') {
      throw new FaultSpecError('MISSING_VALUE', `"${name}" needs a value, e.g. ${example(name)}`, item);
    }
    if (name in RATES) spec[RATES[name as keyof typeof RATES]] = parseRate(value, item);
    else if (name in DURATIONS) spec[DURATIONS[name as keyof typeof DURATIONS]] = parseDuration(value, item);
    else spec.seed = parseSeed(value, item);
  }
  return spec;
}

/** Accepts a FaultSpec, a partial one (missing fields = no fault) or a SPEC string. */
export function toFaultSpec(faults: Partial<FaultSpec> | string | undefined): FaultSpec {
  if (faults === undefined) return { ...NO_FAULTS };
  if (typeof faults === 'string') return parseFaultSpec(faults);
  return { ...NO_FAULTS, ...faults };
}

/** The canonical SPEC string (only what differs from no faults, seed always when a rate is set); parses back equal. */
export function formatFaultSpec(spec: FaultSpec): string {
  const items: string[] = [];
  for (const [name, key] of Object.entries(RATES)) if (spec[key] > 0) items.push(`${name}=${spec[key]}`);
  if (spec.delayMs > 0) items.push(`delay=${spec.delayMs}ms`);
  if (spec.drop > 0 || spec.corrupt > 0 || spec.duplicate > 0 || spec.seed !== DEFAULT_FAULT_SEED) items.push(`seed=${spec.seed}`);
  for (const [name, key] of Object.entries(FLAGS)) if (spec[key]) items.push(name);
  if (spec.vanishAfterMs !== null) items.push(`vanish-after=${spec.vanishAfterMs}ms`);
  return items.length === 0 ? 'none' : items.join(',');
}

/** True when the byte stream itself is altered (a FaultStream is needed). */
export function altersBytes(spec: FaultSpec): boolean {
  return spec.drop > 0 || spec.corrupt > 0 || spec.duplicate > 0 || spec.delayMs > 0 || spec.silent;
}

function parseRate(value: string, item: string): number {
  const percent = value.endsWith('%');
  const digits = percent ? value.slice(0, -1) : value;
  const rate = DECIMAL.test(digits) ? Number(digits) / (percent ? 100 : 1) : Number.NaN;
  if (!(rate >= 0 && rate <= 1)) {
    throw new FaultSpecError('BAD_RATE', `"${value}" is not a probability: use 0–1 (0.01) or 0–100% (1%)`, item);
  }
  return rate;
}

function parseDuration(value: string, item: string): number {
  const match = /^(.*?)(ms|s)$/.exec(value);
  const number = match?.[1] !== undefined && DECIMAL.test(match[1]) ? Number(match[1]) : Number.NaN;
  const ms = match?.[2] === 's' ? number * 1000 : number;
  if (!Number.isFinite(ms) || ms > 2 ** 31 - 1) {
    throw new FaultSpecError('BAD_DURATION', `"${value}" is not a duration: use e.g. 20ms or 1.5s (unit required)`, item);
  }
  return ms;
}

function parseSeed(value: string, item: string): number {
  const seed = /^[0-9]{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!(seed <= 0xffffffff)) throw new FaultSpecError('BAD_SEED', `seed "${value}" is not an integer from 0 to 4294967295`, item);
  return seed;
}

function example(name: string): string {
  if (name in RATES) return `${name}=0.01`;
  if (name === 'seed') return 'seed=42';
  return `${name}=20ms`;
}
