/** Reverse lookups (wire code → name) for the `as const` tables in messages.ts, built once. */
import {
  BrandCode, DeviceErrorCode, EntryField, EntryNotice, EntryState, KeyClass, MessageType, NakReason,
} from './messages.js';

/** A 256-entry table: index = wire code, value = name or undefined. */
export type CodeNames<Name extends string> = readonly (Name | undefined)[];

function reverse<T extends Record<string, number>>(table: T): CodeNames<Extract<keyof T, string>> {
  const names: (Extract<keyof T, string> | undefined)[] = new Array(256).fill(undefined);
  for (const [name, code] of Object.entries(table)) names[code] = name as Extract<keyof T, string>;
  return names;
}

export const messageTypeNames = reverse(MessageType);
export const deviceErrorNames = reverse(DeviceErrorCode);
export const nakReasonNames = reverse(NakReason);
export const keyClassNames = reverse(KeyClass);
export const entryStateNames = reverse(EntryState);
export const entryFieldNames = reverse(EntryField);
export const entryNoticeNames = reverse(EntryNotice);
export const brandNames = reverse(BrandCode);
