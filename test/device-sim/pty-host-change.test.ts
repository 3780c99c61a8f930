/**
 * On a PTY the keypad keeps one link for the life of the port while hosts come and go: a host that closes the
 * port is not a closed connection, the next host simply opens it. These tests play that with real serialport
 * hosts on a real PTY.
 */
import { constants, closeSync, openSync, readSync } from 'node:fs';
import type { SerialPort } from 'serialport';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { parseKsn } from '../../device-sim/crypto/aes-dukpt.js';
import { LINK_DEAD_AFTER_MS } from '../../protocol/constants.js';
import type { SessionEnd } from '../../device-sim/virtual-keypad.js';
import { simulatorPool } from './simulators.js';
import { startEntryMessage, type TestHost } from './test-host.js';

const pool = simulatorPool();

/** The host application exits: its port is closed (flushed first, so its last ACKs left). */
async function leave(host: TestHost): Promise<void> {
  const port = host.stream as SerialPort;
  await new Promise<void>((resolve) => port.drain(() => resolve()));
  host.link.close();
  await new Promise<void>((resolve) => port.close(() => resolve()));
}

/** What a program that is not serialport (which flushes on open) would find waiting in the port. */
function bytesWaitingIn(path: string): number {
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  try {
    return readSync(fd, Buffer.alloc(65536));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
    throw error;
  } finally {
    closeSync(fd);
  }
}

describe('a new host on the same PTY', () => {
  it('gets INFO for its HELLO after the previous host said only HELLO and left', async () => {
    const sim = await pool.sim({ listen: 'pty' });
    const first = await pool.serialHost(sim);
    expect((await first.hello()).type).toBe('INFO');
    await leave(first);
    const second = await pool.serialHost(sim);
    expect((await second.hello()).type).toBe('INFO'); // also HELLO seq 0: a new conversation, not a repeat
  });

  it('a host that leaves mid-entry: the entry ends silently, nothing waits in the port, no DUKPT counter is spent', async () => {
    const clock = new SimulatedClock();
    const sim = await pool.sim({ listen: 'pty', clock, keys: '4111<wait:300>1111<wait:6000>11111111<enter>1230<enter>' });
    const ends: SessionEnd[] = [];
    sim.keypad.on('session-end', (end) => ends.push(end));
    const first = await pool.serialHost(sim);
    await first.hello();
    await first.send(startEntryMessage(42));
    await first.nextWhere((m) => m.type === 'KEY' && m.digits === 4, 'KEY with 4 digits');
    await leave(first);

    clock.increment(300); // four more digits: their KEY frames go to a port nobody reads
    for (let t = 0; t < LINK_DEAD_AFTER_MS + 500; t += 50) {
      // Every retransmission of the first of them, then NO_ACK; the host is gone once nothing was heard from it
      // for LINK_DEAD_AFTER_MS (PROTOCOL.md §6.4), long before the script would finish the card.
      clock.increment(50);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(ends).toEqual([{ sessionId: 42, outcome: 'aborted', error: null, brand: null, last: '' }]);
    expect(sim.keypad.activeSessionId).toBeUndefined();
    clock.increment(5000); // the rest of the script would have finished the card here
    await new Promise((resolve) => setImmediate(resolve));
    expect(ends).toHaveLength(1);
    expect(bytesWaitingIn(sim.address)).toBe(0);

    const second = await pool.serialHost(sim);
    await second.hello();
    await second.send(startEntryMessage(43));
    await second.next('STATUS');
    clock.increment(300);
    clock.increment(6000);
    const end = await second.end();
    if (end.type !== 'RESULT') throw new Error(`expected RESULT, got ${end.type} ${end.type === 'ERROR' ? end.code : ''}`);
    expect(parseKsn(end.keySerialNumber).counter).toBe(1); // the first host's entry used no counter
  });
});
