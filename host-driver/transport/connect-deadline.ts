/**
 * The deadline on opening a transport (TCP connect, serial open): past `timeoutMs` the open rejects with
 * CONNECTION / CONNECT_TIMEOUT, and whatever the late open still produces is released, never leaked.
 */
import { tenkeyError } from '../errors.js';

export interface ConnectDeadlineOptions<T> {
  timeoutMs: number;
  /** What is being opened, for the error detail (a path or tcp://host:port). */
  what: string;
  /** Called once at the deadline: stop the attempt if it can be stopped (destroy the socket). */
  onTimeout?: () => void;
  /** Called with what an open that finished after the deadline produced: close it. */
  release?: (late: T) => unknown;
}

export function withConnectDeadline<T>(opening: Promise<T>, options: ConnectDeadlineOptions<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      options.onTimeout?.();
      reject(tenkeyError('CONNECT_TIMEOUT', `${options.what} did not open within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    // The attempt itself keeps the process alive while it runs; the deadline alone must not.
    timer.unref();
    opening.then(
      (value) => {
        if (!timedOut) {
          clearTimeout(timer);
          resolve(value);
          return;
        }
        // Too late: the caller has its error; what opened now must not stay open.
        void Promise.resolve()
          .then(() => options.release?.(value))
          .catch(() => undefined);
      },
      (error: unknown) => {
        if (timedOut) return;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
