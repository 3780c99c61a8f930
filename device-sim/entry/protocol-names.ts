/**
 * The machine's states and outcomes in the protocol's vocabulary (STATUS.state, ERROR.code).
 */
import type { DeviceErrorName, EntryFieldName, EntryStateName } from '../../protocol/messages.js';
import type { EntryOutput, EntrySnapshot } from './entry-machine.js';

/** STATUS/KEY state of a session; IDLE when there is none. */
export function toEntryState(snapshot: EntrySnapshot | undefined): EntryStateName {
  if (snapshot === undefined) return 'IDLE';
  if (snapshot.matches({ entering: 'pan' })) return 'PAN';
  if (snapshot.matches({ entering: 'expiry' })) return 'EXPIRY';
  if (snapshot.matches('processing')) return 'PROCESSING';
  if (snapshot.matches('done')) return 'DONE';
  if (snapshot.matches('timeout')) return 'TIMEOUT';
  if (snapshot.matches('cancelled')) return 'CANCELLED';
  // The only state left; also where a crashed actor (status 'error') is reported.
  return 'FAILED';
}

export function toEntryField(snapshot: EntrySnapshot | undefined): EntryFieldName {
  return snapshot === undefined ? 'NONE' : snapshot.context.field;
}

/** ERROR code the device sends for an outcome; null for 'done' (a RESULT instead). */
export function toDeviceError(output: EntryOutput): DeviceErrorName | null {
  switch (output.outcome) {
    case 'done': return null;
    case 'timeout': return output.reason === 'sessionCap' ? 'SESSION_LIMIT' : 'TIMEOUT';
    case 'cancelled': return 'CANCELLED';
    case 'failed': return output.code;
  }
}
