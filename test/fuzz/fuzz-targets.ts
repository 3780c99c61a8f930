/**
 * What the fuzzers feed, and what each must never do: the FrameDecoder (stream and function forms) and the
 * virtual keypad's wire side. Each target records problems instead of throwing, so a fuzz run reports every
 * kind of failure it met: a throw, an error that is not a typed ProtocolError, a buffer above the largest encoded
 * frame, or an accepted frame the encoder would not have produced.
 */
import { Duplex } from 'node:stream';
import { SteppingClock } from '../../testing/stepping-clock.js';
import { VirtualKeypad } from '../../device-sim/virtual-keypad.js';
import {
  decodeFrame, encodeFrame, FrameDecoder, MAX_ENCODED_SIZE, ProtocolError, ProtocolErrorCode, type Frame,
} from '../../protocol/index.js';

/** A chunk boundary list: byte offsets at which the input is cut before being written. */
export function chunksOf(input: Buffer, cuts: readonly number[]): Buffer[] {
  if (input.length === 0) return [input];
  const points = [...new Set(cuts.map((c) => c % input.length))].filter((c) => c > 0).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(input.subarray(start, point));
    start = point;
  }
  chunks.push(input.subarray(start));
  return chunks;
}

function typedError(error: unknown): string | undefined {
  if (!(error instanceof ProtocolError)) return `not a ProtocolError: ${String(error)}`;
  return Object.hasOwn(ProtocolErrorCode, error.code) ? undefined : `unknown code ${error.code}`;
}

/** An accepted frame must be one the encoder produces byte for byte (so its fields are all in range). */
function encoderAgrees(frame: Frame): string | undefined {
  try {
    const again = decodeFrame(encodeFrame(frame.message, frame.seq, { fromDevice: frame.fromDevice, retransmission: frame.retransmission }));
    if (!again.ok) return `re-encoded ${frame.message.type} does not decode: ${again.error.code}`;
    return undefined;
  } catch (e) {
    return `decoder accepted a ${frame.message.type} the encoder refuses: ${(e as Error).message}`;
  }
}

export interface FuzzStats {
  inputs: number;
  bytes: number;
  frames: number;
  drops: number;
  /** Largest number of bytes a decoder held for an incomplete frame. */
  maxBuffered: number;
  /** The first MAX_PROBLEMS problems. */
  problems: string[];
  /** Every problem, counted past the cap (a property compares it before and after one input). */
  problemCount: number;
  /** The latest problem, also past the cap (what a failing property reports). */
  lastProblem: string | undefined;
}

const emptyStats = (): FuzzStats => ({
  inputs: 0, bytes: 0, frames: 0, drops: 0, maxBuffered: 0, problems: [], problemCount: 0, lastProblem: undefined,
});

/** Problems are kept up to this many (the first ones tell the story; a million copies would only cost memory). */
const MAX_PROBLEMS = 20;

function problem(stats: FuzzStats, text: string): void {
  stats.problemCount++;
  stats.lastProblem = text;
  if (stats.problems.length < MAX_PROBLEMS) stats.problems.push(text);
}

/** One FrameDecoder fed input after input (state carries over, as on a real line). */
export class StreamDecoderTarget {
  readonly stats = emptyStats();
  readonly decoder = new FrameDecoder();

  constructor() {
    this.decoder.on('data', (frame: Frame) => {
      this.stats.frames++;
      const wrong = encoderAgrees(frame);
      if (wrong) problem(this.stats, wrong);
    });
    this.decoder.on('drop', (error: unknown, raw: Buffer) => {
      this.stats.drops++;
      const wrong = typedError(error);
      if (wrong) problem(this.stats, `drop: ${wrong}`);
      if (raw.length > this.decoder.maxEncodedSize) problem(this.stats, `drop holds ${raw.length} raw bytes`);
    });
    this.decoder.on('error', (e: unknown) => problem(this.stats, `stream error: ${String(e)}`));
  }

  feed(input: Buffer, cuts: readonly number[] = []): void {
    this.stats.inputs++;
    this.stats.bytes += input.length;
    for (const chunk of chunksOf(input, cuts)) {
      try {
        this.decoder.write(chunk);
      } catch (e) {
        problem(this.stats, `write threw: ${String(e)}`);
      }
      const held = this.decoder.bufferedBytes;
      if (held > this.stats.maxBuffered) this.stats.maxBuffered = held;
      if (held > this.decoder.maxEncodedSize) problem(this.stats, `holds ${held} bytes > ${this.decoder.maxEncodedSize}`);
    }
  }
}

/** decodeFrame on the whole input and on each delimited piece of it. */
export class FunctionDecoderTarget {
  readonly stats = emptyStats();

  feed(input: Buffer): void {
    this.stats.inputs++;
    this.stats.bytes += input.length;
    const pieces = [input];
    for (let start = 0, at = input.indexOf(0); at !== -1; start = at + 1, at = input.indexOf(0, start)) pieces.push(input.subarray(start, at));
    for (const piece of pieces) {
      let result: ReturnType<typeof decodeFrame>;
      try {
        result = decodeFrame(piece);
      } catch (e) {
        problem(this.stats, `decodeFrame threw: ${String(e)}`);
        continue;
      }
      if (result.ok) {
        this.stats.frames++;
        const wrong = encoderAgrees(result.frame);
        if (wrong) problem(this.stats, wrong);
      } else {
        this.stats.drops++;
        const wrong = typedError(result.error);
        if (wrong) problem(this.stats, wrong);
      }
    }
  }
}

/** Virtual time each input takes on the keypad's line (its link timers run: retransmissions, give-ups). */
const KEYPAD_MS_PER_INPUT = 50;

/**
 * The virtual keypad's wire side: inputs arrive as bytes from a host, through its FrameDecoder, link and
 * message handlers; what it answers is decoded and checked (no one types, so never a KEY or RESULT).
 */
export class KeypadWireTarget {
  readonly stats = emptyStats();
  readonly clock = new SteppingClock();
  readonly keypad: VirtualKeypad;
  readonly #host: Duplex;
  readonly #answers = new FrameDecoder();
  /** Device messages by type, for the report. */
  readonly answers: Record<string, number> = {};

  constructor() {
    this.keypad = new VirtualKeypad({ clock: this.clock, now: () => new Date('2026-11-27T12:00:00Z') });
    this.#answers.on('data', (frame: Frame) => {
      const { type } = frame.message;
      this.answers[type] = (this.answers[type] ?? 0) + 1;
      if (!frame.fromDevice) problem(this.stats, `keypad sent ${type} without FROM_DEVICE`);
      if (type === 'KEY' || type === 'RESULT') problem(this.stats, `keypad sent ${type} with nobody typing`);
    });
    this.#answers.on('drop', (error: ProtocolError) => problem(this.stats, `keypad wrote a bad frame: ${error.code}`));
    this.#host = new Duplex({
      read() {},
      write: (chunk: Buffer, _encoding, callback) => {
        this.#answers.write(chunk);
        callback();
      },
    });
    this.keypad.attach(this.#host);
  }

  feed(input: Buffer): void {
    this.stats.inputs++;
    this.stats.bytes += input.length;
    try {
      this.#host.push(input);
      const target = this.clock.now() + KEYPAD_MS_PER_INPUT;
      while (this.clock.fireNext(target));
      this.clock.setNow(target);
    } catch (e) {
      problem(this.stats, `keypad threw: ${String(e)}`);
    }
    const held = this.keypad.attachment?.decoder.bufferedBytes ?? 0;
    if (held > this.stats.maxBuffered) this.stats.maxBuffered = held;
    if (held > MAX_ENCODED_SIZE) problem(this.stats, `keypad decoder holds ${held} bytes`);
    if (this.keypad.attachment === undefined) problem(this.stats, 'keypad dropped its connection');
  }

  close(): void {
    this.keypad.close();
  }
}
