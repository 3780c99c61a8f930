/**
 * The driver's logging surface. Default: silent. Lines carry states, counts, ids and error causes,
 * never digits a person typed: the driver never has them, and device-provided text is redacted.
 */
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

/** A logger writing one line per entry to a stream (the CLI's --verbose uses it on stderr). */
export function streamLogger(write: (line: string) => void, minLevel: LogLevel = 'info'): TenkeyLogger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  const line = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (order[level] < order[minLevel]) return;
    const rest = fields
      ? Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}=${String(v)}`).join('')
      : '';
    write(`tenkey ${level}: ${message}${rest}\n`);
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
