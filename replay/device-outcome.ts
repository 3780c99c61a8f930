/**
 * `--against device` checks the header's `scenario.outcome` too: what the application got must follow from
 * how the simulator ended the entry — its RESULT (brand, last digits) or ERROR (mapped through the driver's
 * error table, the same mapping the application sees).
 */
import { outcomeOf } from '../host-driver/errors.js';
import type { CaptureOutcome } from '../protocol/capture/capture-format.js';
import type { CapturedFrame } from '../protocol/capture/capture-frames.js';
import { describeOutcome } from './replay-report.js';

/** The outcome the device's last RESULT or ERROR gives the application; undefined when it sent neither. */
export function outcomeFromDevice(frames: readonly CapturedFrame[]): CaptureOutcome | undefined {
  for (let i = frames.length - 1; i >= 0; i--) {
    const result = frames[i]!.result;
    if (!result.ok) continue;
    const m = result.frame.message;
    if (m.type === 'RESULT') return { kind: 'card', brand: m.brand, last: m.last };
    if (m.type === 'ERROR') {
      const outcome = outcomeOf(m.code);
      return outcome === 'CANCELLED' ? { kind: 'cancelled' } : { kind: 'error', code: outcome };
    }
  }
  return undefined;
}

/**
 * Why the recorded application outcome does not follow from the device's frames, or undefined when it does.
 * A device that ended nothing fits only an error the host met by itself (the link lost, its own guard).
 */
export function deviceOutcomeMismatch(expected: CaptureOutcome, frames: readonly CapturedFrame[]): string | undefined {
  const got = outcomeFromDevice(frames);
  if (got === undefined) {
    return expected.kind === 'error' ? undefined : `recorded outcome ${describeOutcome(expected)}, but the simulator sent no RESULT or ERROR`;
  }
  if (JSON.stringify(got) === JSON.stringify(expected)) return undefined;
  return `application outcome from the simulator's frames ${describeOutcome(got)} ≠ recorded ${describeOutcome(expected)}`;
}
