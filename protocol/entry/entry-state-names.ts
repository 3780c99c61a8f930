/**
 * The entry statechart's states and outcomes in the protocol's vocabulary (STATUS.state, ERROR.code).
 */
import type { DeviceErrorName, EntryStateName } from '../messages.js';
import type { EntryOutput, EntrySnapshot } from './entry-statechart.js';

/** STATUS state of a session; IDLE when there is none (or it has not started yet). */
export function toEntryState(snapshot: EntrySnapshot | undefined): EntryStateName {
  if (snapshot === undefined) return 'IDLE';
  const value = snapshot.value;
  switch (value) {
    case 'starting': return 'IDLE';
    case 'pan': return 'PAN';
    case 'expiry': return 'EXPIRY';
    case 'processing': return 'PROCESSING';
    // The driver between the final STATUS and its RESULT or ERROR: what that STATUS said.
    case 'ending': return snapshot.context.endedAs ?? 'PROCESSING';
    // The driver after the cancel key's KEY, until the keypad's final STATUS and ERROR.
    case 'cancelling': return 'CANCELLED';
    case 'done': return 'DONE';
    case 'timeout': return 'TIMEOUT';
    case 'cancelled': return 'CANCELLED';
    // The only state left; also where a crashed actor (status 'error') is reported.
    default: return 'FAILED';
  }
}

/** ERROR code the device sends for an outcome; null for 'done' (a RESULT instead) and for ends outside the protocol. */
export function toDeviceError(output: EntryOutput): DeviceErrorName | null {
  switch (output.outcome) {
    case 'done': return null;
    case 'timeout': return output.reason === 'sessionCap' ? 'SESSION_LIMIT' : 'TIMEOUT';
    case 'cancelled': return 'CANCELLED';
    case 'failed': return output.code;
    default: return null;
  }
}
