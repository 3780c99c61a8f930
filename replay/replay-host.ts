/**
 * Replay against the host: the replayer plays the recorded device (its d2h bytes, at their recorded times)
 * to the real host driver over the in-memory cable (testing/memory-cable.ts: the driver's own ByteTransport
 * contract, no socket), and compares every frame the driver sends with the recorded h2d frames.
 *
 * The application's calls are not on the wire; they are read back from the frames only they cause:
 * the first HELLO → openTenkey(), each new START_ENTRY → readCard({timeoutSeconds, reveal, expiryRequired}),
 * each new CANCEL while an entry runs → cancel(); each at the time the recorded frame's first byte arrived.
 * After the last record the driver is closed. Device frames that echo a value the host chose at random
 * (sessionId, PING nonce) are re-encoded with the value the driver chose this time (see frame-compare.ts).
 */
import type { TenkeyKeypad } from '../host-driver/tenkey-keypad.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../host-driver/open-tenkey.js';
import { openTenkeyOverTransport } from '../host-driver/open-over-transport.js';
import { acceptedBrandsOf, findCardService } from '../host-driver/services.js';
import { silentLogger } from '../host-driver/logger.js';
import { isTenkeyCancelled, isTenkeyError, tenkeyError } from '../host-driver/errors.js';
import type { ByteTransport } from '../host-driver/transport/byte-transport.js';
import { NO_SESSION_ID } from '../protocol/constants.js';
import type { Brand } from '../protocol/index.js';
import { encodeFrame } from '../protocol/frame.js';
import type { Message } from '../protocol/messages.js';
import type { Capture, CaptureOutcome } from '../protocol/capture/capture-format.js';
import { DirectionFrameSplitter, isCapturedFrame, type CapturedFrame, type TimelineItem } from '../protocol/capture/capture-frames.js';
import { recordedTimeline } from './recorded-timeline.js';
import { matchFrame, ReplayBindings } from '../protocol/capture/frame-compare.js';
import { bareMemoryCable, type BareKeypadEnd } from '../testing/memory-cable.js';
import type { ReplayTimebase } from './replay-timebase.js';
import { buildReport, unreplayableReport, type ReplayReport } from './replay-report.js';
import { CAUSE_WAIT_MS, CauseWaits, divergenceNote, intactFramesBefore } from './replay-divergence.js';

/** What the driver is told it talks to (its events and errors name it). */
const REPLAY_ADDRESS = 'memory://replay';

/** Time (ms, in the replay's clock) allowed for opening/closing the driver to finish after the last record. */
const SETTLE_BUDGET_MS = 10_000;

/**
 * One thing the replayer does, at capture time `t`. `at` orders steps as the recording did: a record's index,
 * or half a step before the record that starts the frame an application call caused. (Times alone cannot: a
 * virtual-time recording has many records at the same millisecond, and cause must still precede effect.)
 */
type Step =
  | { t: number; at: number; kind: 'send'; frame: CapturedFrame }
  | { t: number; at: number; kind: 'device'; event: 'open' | 'close' }
  | { t: number; at: number; kind: 'open' }
  | { t: number; at: number; kind: 'readCard'; timeoutSeconds: number; reveal: number; expiryRequired: boolean }
  | { t: number; at: number; kind: 'cancel' };

function planSteps(capture: Capture, timeline: readonly TimelineItem[], recordedH2d: CapturedFrame[]): Step[] | string {
  const steps: Step[] = [];
  const firstHello = recordedH2d.find((f) => f.result.ok && f.result.frame.message.type === 'HELLO');
  if (firstHello === undefined) return 'the capture has no HELLO from the host: it did not start at a connection, so the host cannot be replayed';
  steps.push({ t: firstHello.tFirstByte, at: firstHello.firstRecord - 0.5, kind: 'open' });
  const another = secondConnection(capture, recordedH2d, firstHello);
  if (another !== undefined) {
    return `the capture holds more than one host connection (a new HELLO at ${another.tFirstByte.toFixed(3)} ms without the device `
      + 'going away: the host reopened the port, e.g. two `tenkey read` runs through one tap); replay against host plays one '
      + 'connection: split the capture before that HELLO';
  }
  const sessions = new Set<number>();
  const cancelled = new Set<number>();
  for (const f of recordedH2d) {
    if (!f.result.ok) continue;
    const m = f.result.frame.message;
    if (m.type === 'START_ENTRY' && !sessions.has(m.sessionId)) {
      sessions.add(m.sessionId);
      steps.push({
        t: f.tFirstByte, at: f.firstRecord - 0.5, kind: 'readCard',
        timeoutSeconds: m.inactivityTimeoutS === 0 ? 60 : m.inactivityTimeoutS, reveal: m.reveal, expiryRequired: m.expiryRequired,
      });
    } else if (m.type === 'CANCEL' && !cancelled.has(m.sessionId)) {
      cancelled.add(m.sessionId);
      steps.push({ t: f.tFirstByte, at: f.firstRecord - 0.5, kind: 'cancel' });
    }
  }
  for (const item of timeline) {
    if (isCapturedFrame(item) && item.dir === 'd2h') steps.push({ t: item.t, at: item.lastRecord, kind: 'send', frame: item });
  }
  capture.records.forEach((record, index) => {
    if ('event' in record && record.side === 'device') steps.push({ t: record.t, at: index, kind: 'device', event: record.event });
  });
  return steps.sort((a, b) => a.at - b.at);
}

/**
 * A HELLO that starts a second host connection: a first transmission (not a retransmission) after the first
 * HELLO, with no device open event since the HELLO before it (after a replug the driver itself says HELLO
 * again, which openTenkey's reconnect replays). The tap cannot see the host open or close its PTY, so a host
 * that reopened the port shows only as this HELLO.
 */
function secondConnection(capture: Capture, recordedH2d: CapturedFrame[], firstHello: CapturedFrame): CapturedFrame | undefined {
  let previous = firstHello;
  for (const f of recordedH2d) {
    if (f.firstRecord <= firstHello.firstRecord || !f.result.ok) continue;
    const { message, retransmission } = f.result.frame;
    if (message.type !== 'HELLO' || retransmission) continue;
    const replugged = capture.records.some((r, i) => i > previous.lastRecord && i < f.firstRecord && 'event' in r && r.side === 'device' && r.event === 'open');
    if (!replugged) return f;
    previous = f;
  }
  return undefined;
}

/** The recorded device frame, with host-chosen values it echoes swapped for this run's. */
function rewriteForHost(frame: CapturedFrame, bindings: ReplayBindings): Buffer {
  if (!frame.result.ok) return frame.raw;
  const { message, seq, retransmission, fromDevice, version } = frame.result.frame;
  let changed: Message | undefined;
  if ('sessionId' in message && message.sessionId !== NO_SESSION_ID) {
    const actual = bindings.session.actualFor(message.sessionId);
    if (actual !== undefined && actual !== message.sessionId) changed = { ...message, sessionId: actual } as Message;
  }
  if (message.type === 'PONG') {
    const actual = bindings.nonce.actualFor(message.nonce);
    if (actual !== undefined && actual !== message.nonce) changed = { ...message, nonce: actual };
  }
  if (changed === undefined) return frame.raw;
  return encodeFrame(changed, seq, { fromDevice, retransmission, version });
}

/**
 * The session id the recorded driver drew for its first entry. The replayed driver starts from it (it counts up
 * from there, as the recorded one did), so the recorded device frames that echo it go out as recorded.
 */
function firstRecordedSession(recordedH2d: readonly CapturedFrame[]): number | undefined {
  for (const f of recordedH2d) {
    if (f.result.ok && f.result.frame.message.type === 'START_ENTRY') return f.result.frame.message.sessionId;
  }
  return undefined;
}

function outcomeOf(settled: PromiseSettledResult<{ brand: string; last: string }>): CaptureOutcome {
  if (settled.status === 'fulfilled') return { kind: 'card', brand: settled.value.brand, last: settled.value.last };
  const e = settled.reason as unknown;
  if (isTenkeyCancelled(e)) return { kind: 'cancelled' };
  return { kind: 'error', code: isTenkeyError(e) ? e.code : String((e as Error)?.message ?? e) };
}

/**
 * openTenkey over the in-memory cable: the same settings openTenkey resolves for a capture's scenario
 * (service → accepted brands, default timeouts, reconnect on), and a transport that fails while the recorded
 * keypad is unplugged, as a refused TCP connect does.
 */
function openDriver(capture: Capture, timebase: ReplayTimebase, attach: () => ByteTransport, firstSessionId: number | undefined): Promise<TenkeyKeypad> {
  const service = capture.header.scenario?.service;
  let acceptedBrands: readonly Brand[] = [];
  if (service !== undefined) {
    const found = findCardService(service);
    if (!found) return Promise.reject(tenkeyError('UNKNOWN_SERVICE', `unknown card service "${service}"`));
    acceptedBrands = acceptedBrandsOf(found);
  }
  return openTenkeyOverTransport({
    address: REPLAY_ADDRESS,
    openTransport: async () => attach(),
    acceptedBrands,
    clock: timebase.clock,
    logger: silentLogger,
    reconnect: {},
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    link: {},
    ...(firstSessionId !== undefined ? { firstSessionId } : {}),
  });
}

export async function replayAgainstHost(capture: Capture, timebase: ReplayTimebase): Promise<ReplayReport> {
  const started = performance.now();
  const timeline = recordedTimeline(capture.records);
  const recordedH2d = timeline.filter(isCapturedFrame).filter((f) => f.dir === 'h2d');
  const notes: string[] = [];
  const plan = planSteps(capture, timeline, recordedH2d);
  const recordedDurationMs = capture.records.at(-1)?.t ?? 0;
  if (typeof plan === 'string') return unreplayableReport('host', recordedH2d.length, plan, recordedDurationMs);

  const splitter = new DirectionFrameSplitter('h2d');
  const actual: CapturedFrame[] = [];
  let actualIntact = 0;
  const liveBindings = new ReplayBindings();
  let liveIndex = 0;
  const onActual = (frame: CapturedFrame): void => {
    actual.push(frame);
    if (frame.result.ok) actualIntact++;
    // Learn bindings as frames come, so the next device frame can echo this run's session id / nonce.
    // Look a few frames ahead, so one extra or missing frame does not stop the learning.
    for (let k = liveIndex; k < Math.min(liveIndex + 8, recordedH2d.length); k++) {
      if (matchFrame(recordedH2d[k]!, frame, liveBindings).length === 0) {
        liveIndex = k + 1;
        break;
      }
    }
  };
  // The device end of the cable the driver holds now; none while the recorded keypad is unplugged.
  let plugged = true;
  let device: BareKeypadEnd | undefined;
  const attach = (): ByteTransport => {
    if (!plugged) throw Object.assign(new Error(`connect ECONNREFUSED ${REPLAY_ADDRESS}`), { code: 'ECONNREFUSED' });
    const cable = bareMemoryCable(REPLAY_ADDRESS);
    const end = cable.device;
    device = end;
    end.on('data', (bytes: Buffer) => {
      timebase.noteActivity();
      for (const f of splitter.push(bytes, timebase.elapsed())) onActual(f);
    });
    end.on('close', () => {
      timebase.noteActivity();
      if (device === end) device = undefined;
    });
    return cable.host;
  };

  let keypad: TenkeyKeypad | undefined;
  let opening: Promise<void> | undefined;
  const reads: Array<Promise<{ brand: string; last: string }>> = [];
  const send = (bytes: Buffer): void => {
    if (device && !device.destroyed) device.write(bytes);
  };
  // Cause before effect: before a step, the driver must have sent every frame recorded before it.
  const intactBefore = intactFramesBefore(recordedH2d);
  const sentIntact = (): number => actualIntact;
  const waits = new CauseWaits(timebase);
  let comparedActual: number | undefined;
  try {
    steps: for (const step of plan) {
      await timebase.advanceTo(step.t);
      if (!(await waits.reached(sentIntact, intactBefore(step.at), step))) break;
      switch (step.kind) {
        case 'open':
          opening = openDriver(capture, timebase, attach, firstRecordedSession(recordedH2d)).then(
            (k) => {
              keypad = k;
            },
            (e: unknown) => {
              notes.push(`openTenkey failed: ${(e as Error).message}`);
            },
          );
          break;
        case 'readCard': {
          if (!(await timebase.waitFor(() => keypad !== undefined, CAUSE_WAIT_MS))) {
            notes.push(`readCard at ${step.t.toFixed(3)} ms: the driver was not open yet; the rest of the capture was not replayed`);
            break steps;
          }
          if (keypad === undefined) break steps; // (narrows the type: waitFor saw it set)
          const read = keypad.readCard({ timeoutSeconds: step.timeoutSeconds, reveal: step.reveal, expiryRequired: step.expiryRequired });
          read.catch(() => undefined);
          reads.push(read);
          break;
        }
        case 'cancel':
          void keypad?.cancel();
          break;
        case 'device':
          // Unplugged: the driver's cable goes dead and its reconnects are refused until the replug.
          plugged = step.event === 'open';
          if (!plugged) device?.destroy();
          break;
        case 'send':
          send(rewriteForHost(step.frame, liveBindings));
          break;
      }
      timebase.noteActivity(); // the step started work: the next settle must let it run
    }
    const stopped = waits.diverged !== undefined || notes.length > 0;
    if (!stopped) {
      await timebase.advanceTo(recordedDurationMs);
      await waits.reached(sentIntact, intactBefore(Infinity), { t: recordedDurationMs, at: Infinity });
    }
    // What the driver sent once the run had stopped follows from the stop, not from the recording.
    if (stopped || waits.diverged) comparedActual = actual.length;
    // Opening and closing may wait on link timers (retransmissions, the connect timeout): let time run for them.
    if (opening && !(await timebase.runUntilSettled(opening, SETTLE_BUDGET_MS))) notes.push('openTenkey never finished');
    if (keypad) {
      const closing = keypad.close();
      if (!(await timebase.runUntilSettled(closing, SETTLE_BUDGET_MS))) notes.push('keypad.close() never finished');
    }
    timebase.noteActivity();
    await timebase.settle();
  } finally {
    if (keypad) await timebase.runUntilSettled(keypad.close(), SETTLE_BUDGET_MS);
    plugged = false;
    device?.destroy();
  }
  for (const f of splitter.flush(timebase.elapsed())) actual.push(f);

  const divergence = waits.diverged;
  if (divergence) notes.push(divergenceNote(divergence, 'the driver'));
  const expected = capture.header.scenario?.outcome;
  if (expected !== undefined && comparedActual === undefined) {
    const settled = await Promise.allSettled(reads);
    const last = settled.at(-1);
    const got: CaptureOutcome | undefined = last === undefined ? undefined : outcomeOf(last);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      notes.push(`application outcome ${JSON.stringify(got ?? null)} ≠ recorded ${JSON.stringify(expected)}`);
    }
  }
  return buildReport({
    against: 'host',
    recorded: divergence ? recordedH2d.filter((f) => f.lastRecord < divergence.at) : recordedH2d,
    actual: comparedActual === undefined ? actual : actual.slice(0, comparedActual),
    notes,
    recordedDurationMs,
    started,
  });
}
