/**
 * The bridge's one keypad: opened with openTenkey and kept. openTenkey reconnects only after a first success,
 * so while the keypad is absent at start (not plugged in yet, keypad server not running) this keeps trying,
 * with the same backoff; afterwards the driver's own reconnect takes over. Reports health and its changes.
 */
import {
  openTenkey, toTenkeyError, type ConnectionEvent, type DeviceInfo, type TenkeyError, type TenkeyErrorJson, type TenkeyKeypad,
  type TenkeyLogger,
} from '../host-driver/index.js';
import { backoffDelay, type BackoffOptions } from '../host-driver/backoff.js';
import type { LinkTimingOptions } from '../host-driver/options.js';
import { printableDevice } from '../host-driver/printable-device.js';
import type { Clock } from '../protocol/clock.js';

/** `connecting` = never connected yet (the bridge keeps trying). */
export type KeypadStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** The keypad as INFO described it, for /health (what a settings screen shows). */
export interface KeypadDeviceJson {
  model: string;
  firmwareVersion: string;
  serialNumber: string;
  keySetId: string;
  acceptedBrands: string[];
}

export interface KeypadHealth {
  status: KeypadStatus;
  /** The configured keypad address. */
  address: string;
  /** INFO of the current (or last) connection, once there was one. */
  device?: KeypadDeviceJson;
  /** Why the keypad is not connected (code CONNECTION), when not connected and known. */
  error?: TenkeyErrorJson;
}

export interface KeypadHolderOptions {
  device: string;
  service: string | undefined;
  connectTimeoutMs: number | undefined;
  reconnect: BackoffOptions | undefined;
  link: LinkTimingOptions | undefined;
  logger: TenkeyLogger | undefined;
  /** Timers between start attempts. */
  clock: Clock;
  /** Called when the status or the cause of not being connected changes (not on every retry). */
  onChange: (health: KeypadHealth) => void;
}

export class KeypadHolder {
  #keypad: TenkeyKeypad | undefined;
  #status: KeypadStatus = 'connecting';
  #error: TenkeyError | undefined;
  #device: DeviceInfo | undefined;
  #attempt = 0;
  #retryTimer: unknown;
  #wake: (() => void) | undefined;
  #opening: Promise<void> | undefined;
  #closed = false;
  #reported = '';

  constructor(private readonly options: KeypadHolderOptions) {}

  /** Starts the first attempt (and the retries after it). */
  start(): void {
    this.#opening ??= this.#open();
  }

  /** The keypad while it is connected. */
  get keypad(): TenkeyKeypad | undefined {
    return this.#status === 'connected' ? this.#keypad : undefined;
  }

  /** Why the keypad cannot take an entry now (undefined while connected). */
  get error(): TenkeyError | undefined {
    return this.#status === 'connected' ? undefined : this.#error;
  }

  get health(): KeypadHealth {
    // The keypad's own strings go to pages and the bridge's log: printable, as everywhere else.
    const device = this.#device && printableDevice(this.#device);
    const error = this.error;
    return {
      status: this.#status,
      address: this.options.device,
      ...(device ? {
        device: {
          model: device.model, firmwareVersion: device.firmwareVersion, serialNumber: device.serialNumber, keySetId: device.keySetId,
          acceptedBrands: [...device.acceptedBrands],
        },
      } : {}),
      ...(error ? { error: error.toJSON() } : {}),
    };
  }

  /** Stops retrying and closes the keypad (which ends a running entry with CONNECTION / CLOSED). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.options.clock.clearTimeout(this.#retryTimer);
    this.#wake?.();
    await this.#opening;
    await this.#keypad?.close();
  }

  async #open(): Promise<void> {
    const { device, service, connectTimeoutMs, reconnect, link, logger } = this.options;
    while (!this.#closed) {
      try {
        this.#keypad = await openTenkey({
          device,
          ...(service !== undefined ? { service } : {}),
          ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
          ...(reconnect !== undefined ? { reconnect } : {}),
          ...(link !== undefined ? { link } : {}),
          ...(logger !== undefined ? { logger } : {}),
        });
      } catch (e) {
        if (this.#closed) return;
        this.#set('connecting', toTenkeyError(e) as TenkeyError);
        await this.#wait(backoffDelay(this.#attempt++, reconnect));
        continue;
      }
      if (this.#closed) return;
      this.#device = this.#keypad.device;
      this.#keypad.on('connection', (event) => this.#changed(event));
      this.#set('connected', undefined);
      return;
    }
  }

  #changed(event: ConnectionEvent): void {
    if (this.#closed) return;
    if (event.status === 'connected') {
      if (event.device) this.#device = event.device;
      this.#set('connected', undefined);
    } else {
      this.#set(event.status, event.error ?? this.#error);
    }
  }

  #set(status: KeypadStatus, error: TenkeyError | undefined): void {
    this.#status = status;
    this.#error = error;
    const key = `${status} ${error?.reason ?? ''}`;
    if (key === this.#reported) return;
    this.#reported = key;
    try {
      this.options.onChange(this.health);
    } catch {
      // A listener's bug must not stop the keypad's retries.
    }
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#retryTimer = this.options.clock.setTimeout(resolve, ms);
    });
  }
}
