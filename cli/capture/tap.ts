/**
 * A man-in-the-middle recorder like interceptty: it exposes a new PTY for the host, opens the real device
 * (a serial port, or tcp://HOST:PORT), forwards every byte both ways unchanged and records each chunk as it
 * arrived. When the device goes away the host's PTY is closed too (the host sees its port vanish, as it
 * would without the tap) and the tap keeps trying to reopen the device; with a stable `link` the host finds
 * the new PTY under the same path once the device is back.
 */
import { connect, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import type { Duplex, Writable } from 'node:stream';
import { PtyPort } from '../../device-sim/transport/pty-port.js';
import { parseDeviceAddress, type DeviceAddress } from '../../device-sim/transport/address.js';
import { CodedError } from '../../protocol/coded-error.js';
import { CaptureWriter } from '../../protocol/capture/capture-writer.js';
import type { CaptureScenario, Direction, LinkSide } from '../../protocol/capture/capture-format.js';

export interface TapOptions {
  /** The real device: a serial port path or tcp://HOST:PORT. */
  device: string;
  /** Where the capture goes (JSON Lines); omit to record nothing. */
  output?: Writable;
  /** End `output` when the tap closes (default true; false for stdout). */
  endOutput?: boolean;
  /** Stable symlink to the host-side PTY (survives the device going away and coming back). */
  link?: string;
  /** Serial speed for a serial device. Default 115200. */
  baudRate?: number;
  /** How often to retry opening a vanished device (real ms). Default 250. */
  reopenIntervalMs?: number;
  /** Free text for the capture header. */
  note?: string;
  /** Tool name in the capture header. */
  tool?: string;
  /** Reproduction facts for the capture header (fixture generation). */
  scenario?: CaptureScenario;
  /** Monotonic ms for record times; default performance.now(). A virtual clock's now() records in virtual time. */
  now?: () => number;
  /** Called for every chunk forwarded, after it was recorded (live display). */
  onChunk?: (dir: Direction, bytes: Buffer, t: number) => void;
  /** Called when a side goes away or comes back. */
  onLinkEvent?: (event: 'open' | 'close', side: LinkSide, t: number) => void;
  /** Called on an error that does not stop the tap (a failed reopen, a write error). */
  onWarning?: (message: string) => void;
}

export interface RunningTap {
  /** What the host opens: the link if one was asked for, else /dev/pts/N. */
  readonly address: string;
  /** Whether the device side is currently open. */
  readonly deviceOpen: boolean;
  /** Stops forwarding, closes both sides and ends the capture. Never rejects. */
  close(): Promise<void>;
}

export class TapError extends CodedError<'DEVICE_OPEN_FAILED' | 'BAD_DEVICE_ADDRESS'> {}

function openDevice(address: DeviceAddress, baudRate: number): Promise<Duplex> {
  if (address.kind === 'tcp') {
    return new Promise((resolve, reject) => {
      const socket: Socket = connect({ host: address.host, port: address.port });
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        resolve(socket);
      });
      socket.once('error', reject);
    });
  }
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path: address.path, baudRate, autoOpen: false });
    port.open((error) => (error ? reject(error) : resolve(port)));
  });
}

/**
 * Closes a device side for good and resolves once it is. A SerialPort must be closed, not only destroyed:
 * serialport's stream has no _destroy, so destroy() emits 'close' but leaves the fd open and its poller
 * armed for the pending read, which keeps the process alive for as long as the device stays plugged in.
 */
async function closeDevice(device: Duplex): Promise<void> {
  if (device instanceof SerialPort) {
    if (device.isOpen) await new Promise<void>((resolve) => device.close(() => resolve()));
    else if (device.closing) await new Promise<void>((resolve) => device.once('close', () => resolve()));
  }
  if (device.destroyed) return;
  await new Promise<void>((resolve) => {
    device.once('close', () => resolve());
    device.destroy();
  });
}

export async function startTap(options: TapOptions): Promise<RunningTap> {
  let address: DeviceAddress;
  try {
    address = parseDeviceAddress(options.device);
  } catch (e) {
    throw new TapError('BAD_DEVICE_ADDRESS', (e as Error).message, { cause: e });
  }
  const baudRate = options.baudRate ?? 115200;
  const reopenIntervalMs = options.reopenIntervalMs ?? 250;
  const warn = options.onWarning ?? (() => {});

  let device: Duplex;
  try {
    device = await openDevice(address, baudRate);
  } catch (e) {
    throw new TapError('DEVICE_OPEN_FAILED', `cannot open ${options.device}: ${(e as Error).message}`, { cause: e });
  }

  const writer = options.output
    ? new CaptureWriter(options.output, {
        captured: { tool: options.tool ?? 'tenkey tap', device: options.device },
        ...(options.note !== undefined ? { note: options.note } : {}),
        ...(options.scenario !== undefined ? { scenario: options.scenario } : {}),
        ...(options.now !== undefined ? { now: options.now } : {}),
      })
    : undefined;
  const elapsed = (): number => writer?.elapsed() ?? 0;

  let closed = false;
  let deviceOpen = true;
  let reopenTimer: NodeJS.Timeout | undefined;
  let pty: PtyPort = PtyPort.open(options.link !== undefined ? { link: options.link } : {});

  const record = (dir: Direction, bytes: Buffer): void => {
    writer?.chunk(dir, bytes);
    options.onChunk?.(dir, bytes, elapsed());
  };
  const linkEvent = (event: 'open' | 'close', side: LinkSide): void => {
    writer?.linkEvent(event, side);
    options.onLinkEvent?.(event, side, elapsed());
  };

  const wirePty = (port: PtyPort): void => {
    port.on('data', (bytes: Buffer) => {
      record('h2d', bytes);
      if (deviceOpen) device.write(bytes);
    });
    port.on('error', (e: Error) => warn(`host side: ${e.message}`));
  };

  const wireDevice = (d: Duplex): void => {
    d.on('data', (bytes: Buffer) => {
      record('d2h', bytes);
      pty.write(bytes);
    });
    d.on('error', (e: Error) => warn(`device side: ${e.message}`));
    d.once('close', () => {
      if (closed || d !== device) return;
      deviceOpen = false;
      linkEvent('close', 'device');
      // The host must see its port vanish as it would without us: close its PTY until the device is back.
      void pty.close();
      scheduleReopen();
    });
  };

  // The reopen timer stays ref'd: while the device is away it is the one thing keeping a `tenkey tap` process
  // alive, and the tap is meant to outlive an unplug. close() clears it.
  const scheduleReopen = (): void => {
    if (closed) return;
    reopenTimer = setTimeout(() => {
      openDevice(address, baudRate).then(
        (d) => {
          if (closed) {
            void closeDevice(d);
            return;
          }
          let next: PtyPort;
          try {
            next = PtyPort.open(options.link !== undefined ? { link: options.link } : {});
          } catch (e) {
            warn(`host side: cannot open a new PTY: ${(e as Error).message}`);
            void closeDevice(d).then(scheduleReopen);
            return;
          }
          device = d;
          deviceOpen = true;
          pty = next;
          wirePty(pty);
          wireDevice(d);
          linkEvent('open', 'device');
        },
        () => scheduleReopen(),
      );
    }, reopenIntervalMs);
  };

  wirePty(pty);
  wireDevice(device);

  return {
    get address() {
      return pty.address;
    },
    get deviceOpen() {
      return deviceOpen;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(reopenTimer);
      await pty.close();
      await closeDevice(device);
      if (writer) {
        if (options.endOutput === false) return;
        await writer.close();
      }
    },
  };
}
