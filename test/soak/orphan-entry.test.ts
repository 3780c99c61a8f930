/**
 * Found by the fault soak: when every ACK of a START_ENTRY is lost, readCard fails (CONNECTION, NO_ACK) though
 * the keypad may well have started the entry. Left alone, that orphan entry waits for keys nobody is asked to
 * type, and every following readCard is refused BUSY (TEMPORARY) until its inactivity timeout (60 s). The driver
 * now sends CANCEL for the session it could not confirm, so the next order starts at once.
 */
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { VirtualKeypad } from '../../device-sim/virtual-keypad.js';
import { isTenkeyError } from '../../host-driver/errors.js';
import { silentLogger } from '../../host-driver/logger.js';
import { openTenkeyOverTransport } from '../../host-driver/open-over-transport.js';
import { decodeFrame } from '../../protocol/index.js';
import { memoryCable } from '../../testing/memory-cable.js';
import { SOAK_DEVICE_DATE } from './soak-plan.js';
import { VirtualTime } from '../../testing/virtual-time.js';

/** A keypad whose ACKs of START_ENTRY never reach the host while `lose.startEntryAcks` is set. */
async function keypadLosingStartEntryAcks() {
  const time = new VirtualTime();
  const device = new VirtualKeypad({ clock: time.clock, now: () => SOAK_DEVICE_DATE });
  const cable = memoryCable();
  const lose = { startEntryAcks: false };
  let startEntrySeq: number | undefined;
  device.on('frame-in', (f) => {
    if (f.message.type === 'START_ENTRY') startEntrySeq = f.seq;
  });
  const wire = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      const decoded = decodeFrame(chunk.subarray(0, chunk.length - 1));
      const lost = lose.startEntryAcks && decoded.ok && decoded.frame.message.type === 'ACK' && decoded.frame.seq === startEntrySeq;
      if (!lost) cable.device.write(chunk);
      callback();
    },
  });
  cable.device.on('data', (bytes: Buffer) => wire.push(bytes));
  device.attach(wire);
  const opening = openTenkeyOverTransport({
    address: 'memory://orphan', openTransport: async () => cable.host, acceptedBrands: [], clock: time.clock, logger: silentLogger,
    reconnect: false, connectTimeoutMs: 3000, link: {},
  });
  await time.runUntilSettled(opening, 5000);
  return { time, device, keypad: await opening, lose };
}

describe('a START_ENTRY whose ACKs were all lost', () => {
  it('leaves no orphan entry on the keypad: the next readCard is served, not refused BUSY', async () => {
    const { time, device, keypad, lose } = await keypadLosingStartEntryAcks();
    lose.startEntryAcks = true;
    const first = keypad.readCard();
    first.catch(() => undefined);
    expect(await time.runUntilSettled(first, 10_000)).toBe(true);
    const error = await first.then(() => undefined, (e: unknown) => e);
    expect(isTenkeyError(error) && [error.code, error.reason]).toEqual(['CONNECTION', 'NO_ACK']);

    lose.startEntryAcks = false;
    await time.advance(2000);
    expect(device.activeSessionId).toBeUndefined();

    const second = keypad.readCard();
    second.catch(() => undefined);
    expect(await time.runUntil(() => device.activeSessionId !== undefined, 5000)).toBe(true);
    void device.type(`${TEST_CARDS.visa}<enter>1230<enter>`);
    expect(await time.runUntilSettled(second, 10_000)).toBe(true);
    const card = await second;
    expect(card.brand).toBe('visa');
    expect(card.last).toBe(TEST_CARDS.visa.slice(-3));
    const closing = keypad.close();
    await time.runUntilSettled(closing, 5000);
    device.close();
  });
});
