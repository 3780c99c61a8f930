/**
 * A capture's recorded timeline (timelineOfRecords), decoded once per capture object rather than once per replay:
 * decoding every recorded frame is a large part of a short replay's work, and a bench or a test suite replays the
 * same capture many times. Before a kept timeline is reused, each record is checked against what it was decoded
 * from (the same record, time, direction or event, and bytes), so a capture edited in between is decoded afresh.
 */
import type { CaptureRecord } from '../protocol/capture/capture-format.js';
import { timelineOfRecords, type TimelineItem } from '../protocol/capture/capture-frames.js';

/** What one record was when the timeline was decoded: its fields, and a copy of its bytes (an edit in place shows). */
interface RecordSeen {
  record: CaptureRecord;
  t: number;
  kind: string;
  bytes: Uint8Array | undefined;
  copy: Buffer | undefined;
}

interface KeptTimeline {
  seen: RecordSeen[];
  timeline: readonly TimelineItem[];
}

const kept = new WeakMap<readonly CaptureRecord[], KeptTimeline>();

function kindOf(record: CaptureRecord): string {
  return 'dir' in record ? record.dir : `${record.side} ${record.event}`;
}

function unchanged(records: readonly CaptureRecord[], seen: readonly RecordSeen[]): boolean {
  if (records.length !== seen.length) return false;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const was = seen[i]!;
    if (record !== was.record || record.t !== was.t || kindOf(record) !== was.kind) return false;
    if ('dir' in record && (record.bytes !== was.bytes || !was.copy!.equals(record.bytes))) return false;
  }
  return true;
}

/** timelineOfRecords(records), shared by every replay of these records while they stay as they were. Read-only. */
export function recordedTimeline(records: readonly CaptureRecord[]): readonly TimelineItem[] {
  const hit = kept.get(records);
  if (hit !== undefined && unchanged(records, hit.seen)) return hit.timeline;
  const seen = records.map((record): RecordSeen => ({
    record,
    t: record.t,
    kind: kindOf(record),
    bytes: 'dir' in record ? record.bytes : undefined,
    copy: 'dir' in record ? Buffer.from(record.bytes) : undefined,
  }));
  const timeline = timelineOfRecords(records);
  kept.set(records, { seen, timeline });
  return timeline;
}
