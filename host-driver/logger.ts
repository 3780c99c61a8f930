/**
 * The driver's logging surface. Default: silent. Lines carry states, counts, ids and error causes,
 * never digits a person typed: the driver never has them, and every line it hands on is made printable first
 * ({@link printableLogger}): a device string cannot break a line, reach a terminal as a control, or carry a digit run.
 */
import { printableText } from '../protocol/printable-text.js';

/** Longest message or field value a log line carries. */
const MAX_LOGGED_TEXT = 300;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured fields attached to a log line (JSON-safe scalars only). */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Anything with these four methods works: pino, console (wrapped), or a test recorder. */
export interface TenkeyLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const silentLogger: TenkeyLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** A field's value as it may be logged: text printable and redacted; a number too long to be a count masked like text. */
function printableValue(value: string | number | boolean | undefined): string | number | boolean | undefined {
  if (typeof value === 'string') return printableText(value, MAX_LOGGED_TEXT);
  if (typeof value === 'number' && printableText(String(value), MAX_LOGGED_TEXT) !== String(value)) return printableText(String(value), MAX_LOGGED_TEXT);
  return value;
}

/** `logger` behind the one redaction: what the driver hands a caller's logger (pino, console, …) is always printable. */
export function printableLogger(logger: TenkeyLogger): TenkeyLogger {
  const line = (level: LogLevel) => (message: string, fields?: LogFields) => {
    const printable = fields === undefined ? undefined : Object.fromEntries(Object.entries(fields).map(([k, v]) => [printableText(k, 40), printableValue(v)]));
    logger[level](printableText(message, MAX_LOGGED_TEXT), printable);
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/** A logger writing one printable line per entry to a stream (the CLI's --verbose uses it on stderr). */
export function streamLogger(write: (line: string) => void, minLevel: LogLevel = 'info'): TenkeyLogger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  const line = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (order[level] < order[minLevel]) return;
    const rest = fields
      ? Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}=${String(v)}`).join('')
      : '';
    write(`tenkey ${level}: ${message}${rest}\n`);
  };
  return printableLogger({ debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') });
}
