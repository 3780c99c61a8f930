/**
 * The deadline both transports put on opening. The TCP case runs end to end in connection.test.ts; a serial
 * open that hangs in the kernel cannot be produced on demand, so the serial path's guarantees — reject at
 * the deadline, close whatever opens too late — are specified here on the shared helper.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TenkeyError } from '../../host-driver/errors.js';
import { withConnectDeadline } from '../../host-driver/transport/connect-deadline.js';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('withConnectDeadline', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('rejects CONNECTION / CONNECT_TIMEOUT at the deadline and stops the attempt once', async () => {
    const opening = deferred<string>();
    const onTimeout = vi.fn();
    const result = withConnectDeadline(opening.promise, { timeoutMs: 500, what: '/dev/ttyUSB0', onTimeout }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(499);
    expect(onTimeout).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    const error = await result;
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code: 'CONNECTION', reason: 'CONNECT_TIMEOUT', detail: '/dev/ttyUSB0 did not open within 500 ms' });
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('releases what an open produces after the deadline, and ignores a late failure', async () => {
    const late = deferred<{ closed: boolean }>();
    const release = vi.fn((port: { closed: boolean }) => { port.closed = true; });
    const result = withConnectDeadline(late.promise, { timeoutMs: 100, what: '/dev/ttyUSB0', release }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await result).toMatchObject({ reason: 'CONNECT_TIMEOUT' });
    const port = { closed: false };
    late.resolve(port);
    await vi.advanceTimersByTimeAsync(0);
    expect(release).toHaveBeenCalledWith(port);
    expect(port.closed).toBe(true);

    const failing = deferred<never>();
    const second = withConnectDeadline(failing.promise, { timeoutMs: 100, what: 'x' }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    failing.reject(new Error('EIO'));
    expect(await second).toMatchObject({ reason: 'CONNECT_TIMEOUT' });
  });

  it('passes a timely result or error through and leaves no timer behind', async () => {
    expect(await withConnectDeadline(Promise.resolve('port'), { timeoutMs: 100, what: 'x' })).toBe('port');
    const os = Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    await expect(withConnectDeadline(Promise.reject(os), { timeoutMs: 100, what: 'x' })).rejects.toBe(os);
    expect(vi.getTimerCount()).toBe(0);
  });
});
