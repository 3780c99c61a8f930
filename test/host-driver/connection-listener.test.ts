/**
 * A store backend's `connection` or `progress` listener that throws is its own bug: the driver logs it and carries
 * on, and the listeners after it still hear the event (the events are emitted from inside timers, stream callbacks
 * and the connection machine's subscriber, where a throw would become an uncaught exception).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TenkeyLogger } from '../../host-driver/logger.js';
import { createTestKeypad, type TestKeypad } from '../../testing/index.js';

const kits: TestKeypad[] = [];
afterEach(async () => {
  await Promise.all(kits.splice(0).map((k) => k.close()));
});

describe('a connection listener that throws', () => {
  it('is logged; the driver still reconnects and reads a card, and nothing goes uncaught', async () => {
    const warnings: string[] = [];
    const logger: TenkeyLogger = { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const kit = await createTestKeypad({ logger, reconnect: { initialDelayMs: 10 }, device: { date: new Date('2026-12-01T00:00:00Z') } });
      kits.push(kit);
      kit.keypad.on('connection', () => {
        throw new Error('a bug in the store backend');
      });
      await kit.device.unplug();
      await kit.device.replug();
      kit.device.nextEntry({ card: 'visa' });
      const result = await kit.run(kit.keypad.readCard());
      expect(result.brand).toBe('visa');
      // Let any timer xstate would rethrow from run out.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(uncaught).toEqual([]);
      expect(warnings.filter((w) => w === 'a connection listener threw').length).toBeGreaterThanOrEqual(2);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('a progress listener that throws: the next listener still hears every event, and the card is read', async () => {
    const warnings: string[] = [];
    const logger: TenkeyLogger = { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };
    const kit = await createTestKeypad({ logger, device: { date: new Date('2026-12-01T00:00:00Z') } });
    kits.push(kit);
    let heard = 0;
    kit.keypad.on('progress', () => {
      throw new Error('a bug in the store backend');
    });
    kit.keypad.on('progress', () => heard++);
    kit.device.nextEntry({ card: 'visa' });
    const result = await kit.run(kit.keypad.readCard());
    expect(result.brand).toBe('visa');
    expect(heard).toBeGreaterThanOrEqual(3); // at least the PAN field, the expiry field and the end (typed keys merge)
    expect(warnings.filter((w) => w === 'a progress listener threw')).toHaveLength(heard);
  });
});
