/**
 * The machine's states and outcomes in the protocol's vocabulary (STATUS.state, ERROR.code): the statechart's own.
 */
import type { EntryFieldName } from '../../protocol/messages.js';
import type { EntrySnapshot } from '../../protocol/entry/entry-statechart.js';

export { toEntryState, toDeviceError } from '../../protocol/entry/entry-state-names.js';

export function toEntryField(snapshot: EntrySnapshot | undefined): EntryFieldName {
  return snapshot === undefined ? 'NONE' : snapshot.context.field;
}
