/**
 * The part of openTenkey after the settings are checked: a KeypadConnection over whatever `openTransport`
 * opens, its first handshake, and the TenkeyKeypad on top. openTenkey passes a serial port or TCP socket;
 * the fault soak (test/soak) passes an in-memory byte pair so a thousand entries run on virtual time.
 * Internal: not exported from host-driver/index.ts.
 */
import type { Brand, Clock } from '../protocol/index.js';
import type { BackoffOptions } from './backoff.js';
import { toTenkeyError } from './errors.js';
import { KeypadConnection } from './keypad-connection.js';
import { printableLogger, silentLogger, type TenkeyLogger } from './logger.js';
import type { LinkTimingOptions } from './options.js';
import { TenkeyKeypad } from './tenkey-keypad.js';
import type { ByteTransport } from './transport/byte-transport.js';

/** Everything openTenkey resolved from its options, and how to open the transport. */
export interface OverTransportSettings {
  /** The address as configured (events, DeviceInfo, errors). */
  address: string;
  openTransport: () => Promise<ByteTransport>;
  acceptedBrands: readonly Brand[];
  clock: Clock;
  logger: TenkeyLogger;
  reconnect: BackoffOptions | false;
  connectTimeoutMs: number;
  link: LinkTimingOptions;
  /** Session id of the first entry (default random); the soak fixes it so a seed replays byte for byte. */
  firstSessionId?: number;
  /** Uniform [0, 1) source for the keepalive jitter (default Math.random); the soak seeds it for the same reason. */
  random?: () => number;
}

/** Connects (HELLO → INFO) and resolves with the keypad; every failure is a TenkeyError. */
export async function openTenkeyOverTransport(settings: OverTransportSettings): Promise<TenkeyKeypad> {
  const { address, openTransport, acceptedBrands, clock, reconnect, connectTimeoutMs, link } = settings;
  // Device strings (INFO's model, firmware) reach the log: the caller's logger only ever gets printable text.
  const logger = settings.logger === silentLogger ? silentLogger : printableLogger(settings.logger);
  const connection = new KeypadConnection({
    address, openTransport, clock, logger, reconnect, connectTimeoutMs, link,
    ...(settings.random !== undefined ? { random: settings.random } : {}),
  });
  await connection.connect();
  try {
    return new TenkeyKeypad(connection, {
      acceptedBrands, clock, logger,
      ...(settings.firstSessionId !== undefined ? { firstSessionId: settings.firstSessionId } : {}),
    });
  } catch (e) {
    await connection.close();
    throw toTenkeyError(e);
  }
}
