/**
 * The virtual keypad's firmware. It attaches to one host connection at a time (any Duplex byte stream: a PTY
 * master, a TCP socket), speaks the device side of the protocol over it, and runs entry sessions the host starts.
 *
 * Wire path: bytes → [fault stream in] → FrameDecoder → LinkEndpoint('device') → message handlers;
 *            message → LinkEndpoint → [fault stream out] → bytes.
 *
 * Rules it keeps:
 * - It never speaks first: every frame answers a host message or belongs to a session the host started.
 * - Card digits stay inside the entry machine's buffers and the encryptor; nothing here logs, emits or
 *   displays them (the display shows dots and, once accepted, the last digits the host may see anyway).
 * - HELLO and RESET end a running session without a word (its host is gone or asked for a clean slate);
 *   so does losing the connection, or a host gone silent: a message it never acknowledged (NO_ACK) and nothing
 *   valid heard from it for LINK_DEAD_AFTER_MS (on a PTY, a host that closed the port looks exactly like that).
 *   Every other end of a session is reported: RESULT or ERROR.
 * - One NO_ACK from a host still heard (a noisy line) loses that one frame only (KEY, STATUS: progress), and
 *   the session and the frames queued after it go on; a RESULT or ERROR is sent again (ANSWER_RESENDS).
 * - A host gone silent gets nothing more: the session is wiped, queued frames are dropped and the bytes still
 *   waiting in the PTY are discarded, so the next host does not find stale frames.
 * - RESET is answered with a STATUS (IDLE) once the device is idle again.
 * - Memory stays bounded whatever the host does: a host that asks faster than it acknowledges (QUEUE_FULL) or
 *   does not read what the keypad writes (PEER_NOT_READING), or (on TCP) stays silent for HOST_SILENT_DROP_MS
 *   (LINK_DEAD), is dropped: 'host-dropped' says why, the session ends silently, and a TCP connection is closed.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { systemClock, type Clock } from '../protocol/clock.js';
import { LINK_DEAD_AFTER_MS, NO_SESSION_ID, PROTOCOL_VERSION, PROTOCOL_VERSION_MIN } from '../protocol/constants.js';
import { FrameDecoder } from '../protocol/frame-decoder.js';
import type { Frame } from '../protocol/frame-types.js';
import type { ProtocolError } from '../protocol/errors.js';
import { LinkEndpoint } from '../protocol/link.js';
import { writeWithinBudget } from '../protocol/write-budget.js';
import type {
  Brand, DeviceErrorName, DeviceMessage, EntryStateName, HostMessage, KeyMessage, StartEntryMessage,
} from '../protocol/messages.js';
import { encodeFrame } from '../protocol/frame.js';
import type { DukptDevice } from './crypto/aes-dukpt.js';
import { MAX_COUNTER } from './crypto/aes-dukpt.js';
import { encryptCardEntry, type RandomBytes } from './crypto/card-block.js';
import { createTestDukptDevice, loadTestKeys } from './crypto/test-keys.js';
import { IDLE_DISPLAY, maskExpiry, maskPan, type DisplaySnapshot } from './display.js';
import type { EncryptCardInput, EncryptCardOutput, EntryOutput } from './entry/entry-machine.js';
import { entryInputProblem, type EntryInput } from './entry/entry-input.js';
import { isKeypadKey, type KeypadKey } from './entry/keys.js';
import { toEntryState } from './entry/protocol-names.js';
import { altersBytes, toFaultSpec, type FaultSpec } from './faults/fault-spec.js';
import { FaultStream } from './faults/fault-stream.js';
import { deviceErrorReport, outcomeErrorReport, type DeviceErrorReport } from './firmware/device-errors.js';
import { KeypadCounterFile } from './firmware/counter-file.js';
import { EntrySession } from './firmware/entry-session.js';
import { keyReportSupersedes } from './firmware/key-progress.js';
import { parseKeyScript, runKeyScript, type KeyScriptRun, type KeyScriptStep } from './key-script.js';
import { findKeypadService, infoBrandsOf, sessionBrandsOf, type KeypadService } from './services.js';

/** What INFO says about the device besides its keys and brands. */
export interface DeviceIdentity {
  model: string;
  firmwareVersion: string;
  serialNumber: string;
}

export const DEFAULT_DEVICE_IDENTITY: Readonly<DeviceIdentity> = Object.freeze({
  model: 'TENKEY-SIM',
  firmwareVersion: '0.1.0',
  serialNumber: 'SIM-00000001',
});

export interface VirtualKeypadOptions {
  /** Every timer: entry machine, link, key-script waits, fault delays. Default systemClock. */
  clock?: Clock;
  /** Device calendar for the expiry check, read in UTC (PROTOCOL.md §9.5). Default the system date. */
  now?: () => Date;
  /** Key script typed from its start at each START_ENTRY (device-sim/key-script.ts). Throws KeyScriptError. */
  keys?: string;
  /** Card service id (device-sim/services.ts). Default 'all'. Throws UnknownServiceError. */
  service?: string;
  /** Faults (device-sim/faults). Byte faults apply to both directions (silent: outgoing only). Throws FaultSpecError. */
  faults?: Partial<FaultSpec> | string;
  /**
   * DUKPT counter of the first transaction (test keys). Default 1. Without `counterFile` the counter lives in
   * memory only: a new VirtualKeypad starts here again and reuses KSNs (fine for tests with the TEST keys; `tenkey sim`
   * keeps a counter file).
   */
  keyCounter?: number;
  /**
   * The keypad's non-volatile memory: a state file that keeps its DUKPT counter across runs
   * (device-sim/firmware/counter-file.ts), so KSNs never repeat. `keyCounter` may then only move it forward.
   * Default none: the counter lives in memory. Throws CounterFileError for a file it cannot trust, and IN_USE for
   * a file another running keypad holds (the keypad holds it until close()).
   */
  counterFile?: string;
  /**
   * The card block's IV and fill (device-sim/crypto/card-block.ts); default node:crypto. Captures and replays pass
   * a seeded source (seededRandomBytes) so RESULT bytes repeat; nothing else should.
   */
  cardBlockRandom?: RandomBytes;
  /** The key register to encrypt with; default a device loaded with the TEST-ONLY keys. */
  dukpt?: DukptDevice;
  /**
   * Merge DIGIT KEY reports that outrun the line into the newest count (PROTOCOL.md §5.11). Default true; false
   * sends a KEY for every key however slow the line, as a device without that merging would (to test hosts against both).
   */
  mergeKeyReports?: boolean;
  identity?: Partial<DeviceIdentity>;
}

export type SessionOutcome = 'done' | 'timeout' | 'cancelled' | 'failed' | 'aborted';

/** How a session ended ('aborted': ended silently by HELLO, RESET, a lost connection or close()). */
export interface SessionEnd {
  sessionId: number;
  outcome: SessionOutcome;
  /** The ERROR code sent for it; null for 'done' and 'aborted'. */
  error: DeviceErrorName | null;
  /** Brand of an accepted (or refused-for-brand) number. */
  brand: Brand | null;
  /** The revealed last digits of a 'done' session, else ''. */
  last: string;
}

export interface VirtualKeypadEvents {
  /** The entry state changed (IDLE after RESET, PAN, EXPIRY, …, DONE). */
  state: [state: EntryStateName, display: DisplaySnapshot];
  /** Anything on the display changed. */
  display: [display: DisplaySnapshot];
  'session-end': [end: SessionEnd];
  /** Every frame decoded from the host (ACKs and duplicates included). */
  'frame-in': [frame: Frame];
  /** Every frame handed to the wire (ACK/NAK and retransmissions included), before any fault. */
  'frame-out': [frame: Frame];
  /** A host connection was attached (true) or detached (false). */
  connection: [connected: boolean];
  /** The keypad dropped its host (QUEUE_FULL, PEER_NOT_READING, or LINK_DEAD after AttachOptions.dropSilentAfterMs). */
  'host-dropped': [error: ProtocolError];
}

/** How the keypad treats one connection. */
export interface AttachOptions {
  /**
   * The connection is the host's alone (a TCP socket): dropping the host closes it, which frees the keypad for the
   * next. Default false: a PTY stays open for the next host to open, and only the session and queues are dropped.
   */
  closeOnDrop?: boolean;
  /** Drop the host after this long with no valid frame from it (PROTOCOL.md §6.4, HOST_SILENT_DROP_MS). Default false. */
  dropSilentAfterMs?: number | false;
}

/** One attached connection. */
export interface KeypadAttachment {
  readonly stream: Duplex;
  readonly link: LinkEndpoint;
  readonly decoder: FrameDecoder;
  /** Fault streams in use on this connection (undefined without byte faults). */
  readonly faultsOut: FaultStream | undefined;
  readonly faultsIn: FaultStream | undefined;
  /** AttachOptions.closeOnDrop as given. */
  readonly closeOnDrop: boolean;
  detach(): void;
}

const ignore = (): void => {};

/**
 * How many more times a RESULT or ERROR that failed NO_ACK is sent while the host is still heard (PROTOCOL.md §6.4):
 * it is what the host waits for, and a RESULT has spent a DUKPT counter. Bounded so that a host that hears but
 * never acknowledges it cannot keep the device sending forever.
 */
export const ANSWER_RESENDS = 5;

/** A stream that can drop the bytes neither side has read yet (PtyPort). */
interface Discardable {
  discardPending(): void;
}

export class VirtualKeypad extends EventEmitter<VirtualKeypadEvents> {
  readonly faults: FaultSpec;
  readonly service: KeypadService;
  readonly identity: DeviceIdentity;
  readonly #clock: Clock;
  readonly #now: () => Date;
  readonly #script: readonly KeyScriptStep[] | undefined;
  readonly #dukpt: DukptDevice;
  readonly #cardBlockRandom: RandomBytes | undefined;
  readonly #mergeKeyReports: boolean;
  #attachment: KeypadAttachment | undefined;
  /** Connections served so far: each gets its own fault seed. */
  #attachCount = 0;
  #session: EntrySession | undefined;
  #scriptRun: KeyScriptRun | undefined;
  #lastError: DeviceErrorName | null = null;
  #lastState: EntryStateName = 'IDLE';
  /** Messages sent and not yet ACKed or failed: a HELLO with some pending means a new host, so the link starts over. */
  #pendingSends = 0;
  /** The pending "has the host been silent for LINK_DEAD_AFTER_MS?" check after a NO_ACK. */
  #hostCheck: { attachment: KeypadAttachment; timer: unknown } | undefined;
  #closed = false;
  /** The counter file this keypad holds while it runs (none: the counter lives in memory). */
  readonly #counterFile: KeypadCounterFile | undefined;

  constructor(options: VirtualKeypadOptions = {}) {
    super();
    this.faults = toFaultSpec(options.faults);
    this.service = findKeypadService(options.service);
    this.#script = options.keys === undefined ? undefined : parseKeyScript(options.keys);
    this.#clock = options.clock ?? systemClock;
    this.#now = options.now ?? (() => new Date());
    this.identity = { ...DEFAULT_DEVICE_IDENTITY, ...options.identity };
    if (this.faults.exhaustKey && options.dukpt !== undefined) throw new TypeError('"exhaust-key" uses its own key register: leave "dukpt" out');
    if (options.counterFile !== undefined && options.dukpt !== undefined) throw new TypeError('"counterFile" is the memory of the TEST key register: leave "dukpt" out');
    this.#cardBlockRandom = options.cardBlockRandom;
    this.#mergeKeyReports = options.mergeKeyReports ?? true;
    const register = this.faults.exhaustKey ? { dukpt: exhaustedTestDevice() } : options.dukpt !== undefined ? { dukpt: options.dukpt } : testKeyRegister(options, this.identity.serialNumber);
    this.#dukpt = register.dukpt;
    this.#counterFile = register.counterFile;
  }

  /** The current connection, if any. */
  get attachment(): KeypadAttachment | undefined {
    return this.#attachment;
  }

  get connected(): boolean {
    return this.#attachment !== undefined;
  }

  /** Id of the session that takes keys now, if any. */
  get activeSessionId(): number | undefined {
    const session = this.#session;
    return session !== undefined && !session.ended ? session.sessionId : undefined;
  }

  /** Serves the host on `stream` (detaching any previous connection). Detaches itself when the stream closes. */
  attach(stream: Duplex, options: AttachOptions = {}): KeypadAttachment {
    if (this.#closed) throw new Error('the virtual keypad is closed');
    this.detach();
    const clock = this.#clock;
    const byteFaults = altersBytes(this.faults);
    // Each connection gets its own fault sequence (the first keeps the seed as given, so recorded captures
    // replay byte for byte): with one sequence for all, a handshake the faults broke would break the same way
    // on every reconnect.
    const attachSeed = (this.faults.seed + Math.imul(this.#attachCount++, 0x9e3779b9)) >>> 0;
    const faultsOut = byteFaults ? new FaultStream({ faults: { ...this.faults, seed: attachSeed }, clock }) : undefined;
    // The way in gets its own random sequence, and `silent` only mutes the device.
    const faultsIn = byteFaults
      ? new FaultStream({ faults: { ...this.faults, silent: false, seed: (attachSeed ^ 0x5bd1e995) >>> 0 }, clock })
      : undefined;
    const decoder = new FrameDecoder();
    const writeWire = (bytes: Buffer): void => {
      if (stream.destroyed || !stream.writable) return;
      const refused = writeWithinBudget(stream, bytes);
      if (refused !== undefined) this.#dropHost(attachment, refused);
    };
    const link = new LinkEndpoint({
      role: 'device',
      clock,
      deadAfterMs: options.dropSilentAfterMs ?? false,
      write: faultsOut === undefined ? writeWire : (bytes) => { if (!faultsOut.destroyed) faultsOut.write(bytes); },
    });
    link.on('overflow', (error) => this.#dropHost(attachment, error));
    link.on('dead', (error) => this.#dropHost(attachment, error));
    faultsOut?.on('data', writeWire);
    faultsIn?.on('data', (bytes: Buffer) => decoder.write(bytes));
    const onData = (bytes: Buffer): void => {
      if (faultsIn === undefined) decoder.write(bytes);
      else if (!faultsIn.destroyed) faultsIn.write(bytes);
    };
    decoder.on('data', (frame: Frame) => link.receiveFrame(frame));
    decoder.on('drop', (error) => link.receiveDrop(error));
    for (const s of [decoder, faultsIn, faultsOut]) s?.on('error', ignore);
    link.on('received', (frame) => this.emit('frame-in', frame));
    link.on('sent', (frame) => this.emit('frame-out', frame));
    link.on('message', (message) => this.#receive(message as HostMessage));

    const onClose = (): void => attachment.detach();
    stream.on('data', onData);
    stream.on('close', onClose);
    stream.on('error', ignore); // its owner sees the error; here a broken stream is only a lost host

    let detached = false;
    const attachment: KeypadAttachment = {
      stream, link, decoder, faultsOut, faultsIn, closeOnDrop: options.closeOnDrop ?? false,
      detach: () => {
        if (detached) return;
        detached = true;
        if (this.#hostCheck?.attachment === attachment) this.#cancelHostCheck();
        stream.off('data', onData);
        stream.off('close', onClose);
        if (this.#attachment === attachment) {
          this.#attachment = undefined;
          this.#abortSession();
        }
        link.close();
        decoder.destroy();
        faultsIn?.destroy();
        faultsOut?.destroy();
        this.emit('connection', false);
        this.#changed();
      },
    };
    this.#attachment = attachment;
    this.#pendingSends = 0;
    this.emit('connection', true);
    this.#changed();
    return attachment;
  }

  /**
   * True when the current host looks gone (PROTOCOL.md §6.4): nothing valid heard from it for LINK_DEAD_AFTER_MS.
   * A TCP listener lets a new connection replace such a host instead of refusing it BUSY.
   */
  get hostSilent(): boolean {
    const attachment = this.#attachment;
    return attachment !== undefined && this.#clock.now() - attachment.link.lastHeardAt >= LINK_DEAD_AFTER_MS;
  }

  /** Drops the current connection (a running session ends silently). */
  detach(): void {
    this.#attachment?.detach();
  }

  /** A key on the keypad. False when no session takes keys (the keypad ignores it, as a real one would). */
  press(key: KeypadKey): boolean {
    if (!isKeypadKey(key)) throw new TypeError(`not a keypad key: ${String(key)}`);
    const session = this.#session;
    if (session === undefined || session.ended) return false;
    return session.press(key);
  }

  /** Types a key script now (syntax of device-sim/key-script.ts); rejects with KeyScriptError on a bad script. */
  type(script: string): Promise<void> {
    let steps: KeyScriptStep[];
    try {
      steps = parseKeyScript(script);
    } catch (error) {
      return Promise.reject(error);
    }
    return runKeyScript(steps, (key) => { this.press(key); }, this.#clock).finished;
  }

  /** What the keypad's screen shows now. Never card digits. */
  display(): DisplaySnapshot {
    const connected = this.connected;
    const session = this.#session;
    if (session === undefined) return { ...IDLE_DISPLAY, connected, lastError: this.#lastError };
    const snapshot = session.snapshot();
    const { context } = snapshot;
    return {
      state: toEntryState(snapshot),
      sessionId: session.sessionId,
      field: context.field,
      panDigits: context.panDigits,
      expiryDigits: context.expiryDigits,
      pan: maskPan(context.panDigits, session.revealed),
      expiry: maskExpiry(context.expiryDigits),
      revealed: session.revealed,
      brand: session.brand,
      secondsLeft: session.secondsLeft,
      notice: context.notice,
      lastError: this.#lastError,
      connected,
    };
  }

  /** Ends any session, drops the connection and wipes the keys. The keypad is unusable afterwards. */
  close(): void {
    if (this.#closed) return;
    this.detach();
    this.#abortSession();
    this.#closed = true;
    this.#dukpt.destroy();
    this.#counterFile?.release();
  }

  #receive(message: HostMessage): void {
    switch (message.type) {
      case 'HELLO': {
        // A new host: whatever the previous one left running or unacknowledged is void.
        const hadSession = this.activeSessionId !== undefined;
        this.#abortSession();
        if (hadSession || this.#pendingSends > 0) this.#attachment?.link.reset();
        if (message.minVersion <= PROTOCOL_VERSION && message.maxVersion >= PROTOCOL_VERSION_MIN
          && message.minVersion <= message.maxVersion) {
          this.#send(this.#info());
        } else {
          this.#sendError(0, deviceErrorReport('UNSUPPORTED_VERSION',
            `device speaks ${PROTOCOL_VERSION_MIN}-${PROTOCOL_VERSION}, host ${message.minVersion}-${message.maxVersion}`));
        }
        return;
      }
      case 'GET_INFO':
        this.#send(this.#info());
        return;
      case 'START_ENTRY':
        this.#startEntry(message);
        return;
      case 'CANCEL': {
        const session = this.#session;
        if (session !== undefined && !session.ended && session.sessionId === message.sessionId) session.cancelByHost();
        else this.#sendError(message.sessionId, deviceErrorReport('NO_SESSION'));
        return;
      }
      case 'GET_STATUS':
        this.#send(this.#status());
        return;
      case 'RESET':
        this.#abortSession();
        this.#session = undefined;
        this.#lastError = null;
        this.#changed();
        this.#send(this.#status());
        return;
      case 'PING':
        return; // answered by the link
    }
  }

  #startEntry(message: StartEntryMessage): void {
    const { sessionId } = message;
    if (this.faults.busy || this.activeSessionId !== undefined) {
      this.#sendError(sessionId, deviceErrorReport('BUSY'));
      return;
    }
    // No counter left: refuse now rather than after staff typed a whole card (PROTOCOL.md §7.1, §9.2).
    if (this.#dukpt.exhausted) {
      this.#sendError(sessionId, deviceErrorReport('KEY_EXHAUSTED'));
      return;
    }
    const acceptedBrands = sessionBrandsOf(this.service, message.acceptedBrands);
    if (acceptedBrands === 'none') {
      this.#sendError(sessionId, deviceErrorReport('BAD_REQUEST', `no accepted brand is in the card service ${this.service.id}`));
      return;
    }
    const today = this.#now();
    const input: EntryInput = {
      sessionId,
      inactivityTimeoutS: message.inactivityTimeoutS,
      reveal: message.reveal,
      expiryRequired: message.expiryRequired,
      acceptedBrands,
      today: { year: today.getUTCFullYear(), month: today.getUTCMonth() + 1 },
    };
    const problem = entryInputProblem(input);
    if (problem !== null) {
      this.#sendError(sessionId, deviceErrorReport('BAD_REQUEST', problem));
      return;
    }
    this.#lastError = null;
    const session: EntrySession = new EntrySession(input, this.#clock, {
      key: (report) => this.#sendKey({ type: 'KEY', sessionId, ...report }),
      state: (report, secondsLeft) => this.#send({ type: 'STATUS', sessionId, secondsLeft, ...report }),
      changed: () => this.#changed(),
      end: (output) => this.#ended(session, output),
      encrypt: (card) => this.#encrypt(card),
    });
    this.#session = session;
    session.start();
    if (this.#script !== undefined && !session.ended) {
      this.#scriptRun = runKeyScript(this.#script, (key) => { session.press(key); }, this.#clock);
    }
  }

  async #encrypt(card: EncryptCardInput): Promise<EncryptCardOutput> {
    const { keySerialNumber, encryptedBlock } = encryptCardEntry(this.#dukpt, { panDigits: card.pan, expiry: card.expiry }, this.#cardBlockRandom);
    return { keySerialNumber, encryptedBlock };
  }

  #ended(session: EntrySession, output: EntryOutput): void {
    this.#stopScript();
    const { sessionId } = session;
    const report = outcomeErrorReport(output);
    const brand = session.brand;
    if (output.outcome === 'done') {
      const { result } = output;
      this.#send({
        type: 'RESULT', sessionId, brand: result.brand, last: result.last,
        keySerialNumber: result.keySerialNumber, encryptedBlock: result.encryptedBlock,
      });
    } else if (report !== null) {
      this.#lastError = report.code;
      this.#sendError(sessionId, report);
    }
    this.#changed();
    this.emit('session-end', {
      sessionId,
      // The keypad's own machine ends only in these four; the others are the driver's.
      outcome: output.outcome === 'done' || output.outcome === 'timeout' || output.outcome === 'cancelled' ? output.outcome : 'failed',
      error: report?.code ?? null,
      brand,
      last: output.outcome === 'done' ? output.result.last : '',
    });
  }

  #abortSession(): void {
    this.#stopScript();
    const session = this.#session;
    if (session === undefined || session.ended) return;
    session.abort();
    this.#changed();
    this.emit('session-end', { sessionId: session.sessionId, outcome: 'aborted', error: null, brand: null, last: '' });
  }

  #stopScript(): void {
    this.#scriptRun?.stop();
    this.#scriptRun = undefined;
  }

  #info(): DeviceMessage {
    return {
      type: 'INFO',
      protocolVersion: PROTOCOL_VERSION,
      ...this.identity,
      keySetId: this.#dukpt.initialKeyId,
      acceptedBrands: infoBrandsOf(this.service),
    };
  }

  #status(): DeviceMessage {
    const session = this.#session;
    if (session === undefined) {
      return { type: 'STATUS', state: 'IDLE', sessionId: NO_SESSION_ID, field: 'NONE', digits: 0, secondsLeft: 0, notice: 'NONE' };
    }
    const snapshot = session.snapshot();
    const { context } = snapshot;
    const digits = context.field === 'PAN' ? context.panDigits : context.field === 'EXPIRY' ? context.expiryDigits : 0;
    return {
      type: 'STATUS', state: toEntryState(snapshot), sessionId: session.sessionId, field: context.field,
      digits, secondsLeft: session.secondsLeft, notice: context.notice,
    };
  }

  #sendError(sessionId: number, report: DeviceErrorReport): void {
    this.#send({ type: 'ERROR', sessionId, code: report.code, detail: report.detail });
  }

  /**
   * A KEY report: while an earlier DIGIT report of the same field still waits behind a slow line (or keys come
   * faster than round trips), the newer count takes its place instead of queueing behind it (§5.11).
   */
  #sendKey(message: KeyMessage): void {
    const link = this.#mergeKeyReports ? this.#attachment?.link : undefined;
    if (link?.replaceNewestQueued(message, (queued) => keyReportSupersedes(message, queued))) return;
    this.#send(message);
  }

  /**
   * Queues a message on the current connection; without one there is nobody to tell, so nothing is sent.
   * `resends`: how many times this RESULT or ERROR was already sent again after a NO_ACK.
   */
  #send(message: DeviceMessage, resends = 0): void {
    const attachment = this.#attachment;
    if (attachment === undefined) return;
    this.#pendingSends++;
    attachment.link.send(message).then(
      () => { this.#pendingSends--; },
      (error: ProtocolError) => {
        this.#pendingSends = Math.max(0, this.#pendingSends - 1);
        // NAK or link closed: the host's to notice. NO_ACK: this frame is lost; the host may be gone too.
        if (error.code !== 'NO_ACK' || this.#attachment !== attachment) return;
        if (this.#checkHost(attachment)) return;
        // A host still heard is waiting for the answer that ends its request (§6.4): send it again, as a new message.
        if ((message.type === 'RESULT' || message.type === 'ERROR') && resends < ANSWER_RESENDS) this.#send(message, resends + 1);
      },
    );
  }

  /**
   * A message failed for lack of an ACK (PROTOCOL.md §6.4). On a noisy line a live host can miss one frame's
   * every copy: that frame is lost (KEY and STATUS are progress only) and the rest still goes out. The host is
   * gone only when nothing valid has come from it for LINK_DEAD_AFTER_MS (a live host PINGs every second):
   * at once if that is so already, else as soon as that much silence has passed unless the host is heard first.
   * True when the host is gone now.
   */
  #checkHost(attachment: KeypadAttachment): boolean {
    const { link } = attachment;
    const silentFor = this.#clock.now() - link.lastHeardAt;
    if (silentFor >= LINK_DEAD_AFTER_MS) {
      this.#hostGone(attachment);
      return true;
    }
    if (this.#hostCheck !== undefined) return false; // already waiting for the same silence to run out
    const heardAt = link.lastHeardAt;
    const check = (): void => {
      this.#hostCheck = undefined;
      if (this.#attachment !== attachment || link.isClosed) return;
      if (link.lastHeardAt !== heardAt) return; // the host spoke since: alive
      this.#hostGone(attachment);
    };
    this.#hostCheck = { attachment, timer: this.#clock.setTimeout(check, LINK_DEAD_AFTER_MS - silentFor) };
    return false;
  }

  #cancelHostCheck(): void {
    if (this.#hostCheck === undefined) return;
    this.#clock.clearTimeout(this.#hostCheck.timer);
    this.#hostCheck = undefined;
  }

  /**
   * The host stopped acknowledging (PROTOCOL.md §6.4): on a PTY that is how a host that closed the port looks.
   * End the session silently (buffers wiped, no DUKPT counter spent), drop whatever else was queued, and throw
   * away the bytes the host never read, so the next host to open the port starts clean.
   */
  #hostGone(attachment: KeypadAttachment): void {
    this.#cancelHostCheck();
    this.#abortSession();
    attachment.link.reset();
    const { stream } = attachment;
    const discard = (stream as Partial<Discardable>).discardPending;
    if (typeof discard === 'function') {
      try {
        discard.call(stream);
      } catch {
        // best effort: a port that cannot discard just leaves the stale bytes to the next host's open()
      }
    }
  }

  /**
   * A host that would cost unbounded memory, or (TCP) has been silent far too long: tell why, end its session
   * silently, drop its queued frames, and close its connection when it is its own (a PTY stays for the next host).
   */
  #dropHost(attachment: KeypadAttachment, error: ProtocolError): void {
    if (this.#attachment !== attachment) return;
    this.emit('host-dropped', error);
    this.#hostGone(attachment);
    if (attachment.closeOnDrop) {
      attachment.detach();
      attachment.stream.destroy();
    }
  }

  #changed(): void {
    const display = this.display();
    if (display.state !== this.#lastState) {
      this.#lastState = display.state;
      this.emit('state', display.state, display);
    }
    this.emit('display', display);
  }
}

/**
 * The register for `exhaust-key`: the test keys at the last counter X9.24-3 allows, already used, so every
 * entry fails KEY_EXHAUSTED exactly as a worn-out device's would.
 */
function exhaustedTestDevice(): DukptDevice {
  const dukpt = createTestDukptDevice(MAX_COUNTER);
  dukpt.nextTransaction().dataEncryptionKey.fill(0);
  return dukpt;
}

/** The TEST-ONLY key register, its counter in memory or, with `counterFile`, in that file (held until close()). */
function testKeyRegister(options: VirtualKeypadOptions, serialNumber: string): { dukpt: DukptDevice; counterFile?: KeypadCounterFile } {
  if (options.counterFile === undefined) return { dukpt: createTestDukptDevice(options.keyCounter) };
  const { bdk, initialKey, initialKeyId } = loadTestKeys(); // the file names the key set; only its ID is needed here
  bdk.fill(0);
  initialKey.fill(0);
  const counterFile = new KeypadCounterFile(options.counterFile, { serialNumber, keySetId: initialKeyId });
  const startCounter = counterFile.startCounter(options.keyCounter);
  try {
    return { dukpt: createTestDukptDevice({ startCounter, counterMemory: counterFile }), counterFile };
  } catch (error) {
    counterFile.release();
    throw error;
  }
}

/** The refusal a second host gets on a busy TCP keypad (it never reaches the firmware). */
export function busyRefusalFrame(): Buffer {
  return encodeFrame({ type: 'ERROR', sessionId: NO_SESSION_ID, code: 'BUSY', detail: 'another host is connected' }, 0);
}
