/**
 * Replay against the device: the replayer plays the recorded host (its h2d bytes exactly as chunked, at their
 * recorded times) to the real virtual keypad over the in-memory cable (testing/memory-cable.ts, no socket), and
 * compares every frame the keypad sends with the recorded d2h frames.
 *
 * What the person typed is not on the wire: KEY frames carry the key class and digit count, never a digit.
 * So the capture's `scenario.keys` names the keys with test-card references ("pan:visa", "exp:valid"; see
 * test-cards.ts), and the replayer presses them when the recording did: scenario.keyTimes, ordered among the
 * records by the KEY frames that reported them (recorded-key-presses.ts, merged DIGIT reports included; the
 * keypad merges reports only when the recording shows merged ones).
 * The keypad starts from the recorded device state: `deviceDate` (calendar), `keyCounter` (DUKPT),
 * `deviceService` and `faults` (seeded, so the same line damage happens again).
 */
import { VirtualKeypad, type VirtualKeypadOptions } from '../device-sim/virtual-keypad.js';
import { seededRandomBytes } from '../device-sim/crypto/seeded-random-bytes.js';
import type { KeypadKey } from '../device-sim/entry/keys.js';
import type { ByteTransport } from '../host-driver/transport/byte-transport.js';
import type { Capture, CaptureScenario } from '../protocol/capture/capture-format.js';
import { isChunkRecord } from '../protocol/capture/capture-format.js';
import { DirectionFrameSplitter, isCapturedFrame, type CapturedFrame } from '../protocol/capture/capture-frames.js';
import { recordedTimeline } from './recorded-timeline.js';
import { memoryCable } from '../testing/memory-cable.js';
import type { ReplayTimebase } from './replay-timebase.js';
import { buildReport, unreplayableReport, type ReplayReport } from './replay-report.js';
import { CauseWaits, divergenceNote, intactFramesBefore } from './replay-divergence.js';
import { deviceOutcomeMismatch } from './device-outcome.js';
import { expandKeyScript, ScenarioKeysError } from '../device-sim/test-cards.js';
import { toKeyClass } from '../device-sim/entry/keys.js';
import { recordedKeyPresses, type RecordedKeyPress } from './recorded-key-presses.js';

/** One thing the replayer does at capture time `t`; `at` keeps the recording's order (see replay-host.ts). */
type Step =
  | { t: number; at: number; kind: 'write'; bytes: Uint8Array }
  | { t: number; at: number; kind: 'press'; keyClass: string; frameTime: number }
  | { t: number; at: number; kind: 'device'; event: 'open' | 'close' };

/** The keypad as the recording's device was: the options startSimulator would pass it for this scenario. */
function recordedKeypad(scenario: CaptureScenario, timebase: ReplayTimebase, mergeKeyReports: boolean): VirtualKeypad {
  const { deviceDate } = scenario;
  const options: VirtualKeypadOptions = { clock: timebase.clock, mergeKeyReports };
  if (deviceDate !== undefined) options.now = () => new Date(`${deviceDate}T12:00:00Z`);
  if (scenario.keyCounter !== undefined) options.keyCounter = scenario.keyCounter;
  if (scenario.cardBlockSeed !== undefined) options.cardBlockRandom = seededRandomBytes(scenario.cardBlockSeed);
  if (scenario.deviceService !== undefined) options.service = scenario.deviceService;
  if (scenario.faults !== undefined) options.faults = scenario.faults;
  return new VirtualKeypad(options);
}

function planSteps(capture: Capture, recordedD2h: CapturedFrame[], presses: readonly RecordedKeyPress[]): Step[] {
  const steps: Step[] = [];
  capture.records.forEach((record, index) => {
    if (isChunkRecord(record)) {
      if (record.dir === 'h2d') steps.push({ t: record.t, at: index, kind: 'write', bytes: record.bytes });
    } else if (record.side === 'device') {
      steps.push({ t: record.t, at: index, kind: 'device', event: record.event });
    }
  });
  for (const press of presses) steps.push({ kind: 'press', ...press });
  return steps.sort((a, b) => a.at - b.at);
}

export async function replayAgainstDevice(capture: Capture, timebase: ReplayTimebase): Promise<ReplayReport> {
  const started = performance.now();
  const scenario = capture.header.scenario ?? {};
  const recordedD2h = recordedTimeline(capture.records).filter(isCapturedFrame).filter((f) => f.dir === 'd2h');
  const recordedDurationMs = capture.records.at(-1)?.t ?? 0;
  const notes: string[] = [];
  const unreplayable = (note: string): ReplayReport => unreplayableReport('device', recordedD2h.length, note, recordedDurationMs);

  let keys: KeypadKey[] = [];
  try {
    keys = expandKeyScript(scenario.keys ?? [], scenario.deviceDate);
  } catch (e) {
    if (e instanceof ScenarioKeysError) return unreplayable(`scenario.keys: ${e.message}`);
    throw e;
  }
  // A recording without merged KEY reports replays on a keypad that merges none: it may come from one that cannot.
  const recordedPresses = recordedKeyPresses(capture, recordedD2h, keys.map(toKeyClass));
  const steps = planSteps(capture, recordedD2h, recordedPresses.presses);
  const presses = recordedPresses.presses.length;
  if (presses > 0 && scenario.keys === undefined) {
    return unreplayable(`the capture has ${presses} key presses but no scenario.keys: digits are never on the wire, so the device cannot be replayed`);
  }

  const keypad = recordedKeypad(scenario, timebase, recordedPresses.merged);
  const splitter = new DirectionFrameSplitter('d2h');
  const actual: CapturedFrame[] = [];
  let actualIntact = 0;
  const onActual = (frames: CapturedFrame[]): void => {
    for (const f of frames) {
      actual.push(f);
      if (f.result.ok) actualIntact++;
    }
  };
  // The replayer's end of the cable (the host's); none while the keypad is unplugged.
  let host: ByteTransport | undefined;
  const plug = (): void => {
    const cable = memoryCable({ description: 'memory://replay', clock: timebase.clock });
    const end = cable.host;
    host = end;
    end.on('data', (bytes: Buffer) => {
      timebase.noteActivity();
      onActual(splitter.push(bytes, timebase.elapsed()));
    });
    end.on('close', () => {
      timebase.noteActivity();
      // The connection is gone with whatever half-frame was in flight, as in timelineOfRecords.
      onActual(splitter.flush(timebase.elapsed()));
      if (host === end) host = undefined;
    });
    keypad.attach(cable.device);
  };
  // "Unplug", as the simulator's vanish(): the keypad lets the host go and the line goes dead.
  const unplug = (): void => {
    keypad.detach();
    void host?.close();
  };
  // A "vanish-after" fault unplugs the keypad by itself, as startSimulator arranges it.
  const { vanishAfterMs } = keypad.faults;
  const vanishTimer = vanishAfterMs === null ? undefined : timebase.clock.setTimeout(unplug, vanishAfterMs);

  let keyIndex = 0;
  // Cause before effect: before a step, the simulator must have sent every frame recorded before it.
  const d2hBefore = intactFramesBefore(recordedD2h);
  const sentIntact = (): number => actualIntact;
  const waits = new CauseWaits(timebase);
  let comparedActual: number | undefined;
  try {
    plug();
    for (const step of steps) {
      await timebase.advanceTo(step.t);
      if (!(await waits.reached(sentIntact, d2hBefore(step.at), step))) break;
      switch (step.kind) {
        case 'write':
          host?.write(Buffer.from(step.bytes));
          break;
        case 'device':
          if (step.event === 'close') unplug();
          else plug();
          break;
        case 'press': {
          const key = keys[keyIndex++];
          if (key === undefined) {
            notes.push(`KEY at ${step.frameTime.toFixed(3)} ms: scenario.keys has only ${keys.length} keys`);
            break;
          }
          if (toKeyClass(key) !== step.keyClass) {
            notes.push(`KEY at ${step.frameTime.toFixed(3)} ms is ${step.keyClass}, but key ${keyIndex} of scenario.keys is a ${toKeyClass(key)}`);
          }
          if (!keypad.press(key)) notes.push(`KEY at ${step.frameTime.toFixed(3)} ms: the simulator had no session taking keys`);
          break;
        }
      }
      timebase.noteActivity(); // the step started work: the next settle must let it run
    }
    if (waits.diverged === undefined) {
      if (keyIndex < keys.length) notes.push(`scenario.keys has ${keys.length - keyIndex} key(s) no KEY frame was recorded for`);
      await timebase.advanceTo(recordedDurationMs);
      await waits.reached(sentIntact, d2hBefore(Infinity), { t: recordedDurationMs, at: Infinity });
    }
    // What the simulator sent once the run had stopped follows from the stop, not from the recording.
    if (waits.diverged) comparedActual = actual.length;
    timebase.noteActivity();
    await timebase.settle();
  } finally {
    if (vanishTimer !== undefined) timebase.clock.clearTimeout(vanishTimer);
    keypad.close();
    await host?.close();
  }
  onActual(splitter.flush(timebase.elapsed()));

  const divergence = waits.diverged;
  if (divergence) notes.push(divergenceNote(divergence, 'the simulator'));
  const compared = comparedActual === undefined ? actual : actual.slice(0, comparedActual);
  if (divergence === undefined && scenario.outcome !== undefined) {
    const mismatch = deviceOutcomeMismatch(scenario.outcome, compared);
    if (mismatch !== undefined) notes.push(mismatch);
  }
  return buildReport({
    against: 'device',
    recorded: divergence ? recordedD2h.filter((f) => f.lastRecord < divergence.at) : recordedD2h,
    actual: compared,
    notes,
    recordedDurationMs,
    started,
  });
}
