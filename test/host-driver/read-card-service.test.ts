/**
 * readCard's own 利用サービス: one keypad opened once, each entry with the accepted brands of the service it
 * names (the bridge's per-entry `service`).
 */
import { describe, expect, it } from 'vitest';
import { TenkeyError } from '../../host-driver/index.js';
import { resolveReadCardOptions } from '../../host-driver/options.js';
import { cardKeys, open, rejectionOf, simulator, TEST_CARDS } from './harness.js';

describe('readCard service', () => {
  it("refuses a brand the entry's service does not accept, though openTenkey named no service", async () => {
    const sim = await simulator('pty', { keys: cardKeys(TEST_CARDS['american-express']) });
    const keypad = await open({ device: sim.address });
    const error = await rejectionOf(keypad.readCard({ service: 'visa-master', timeoutSeconds: 10 }));
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code: 'CARD_SERVICE', reason: 'UNSUPPORTED_BRAND' });
  });

  it("overrides openTenkey's service for that entry only: the next entry uses openTenkey's again", async () => {
    const sim = await simulator('pty', { keys: cardKeys(TEST_CARDS.discover) });
    const keypad = await open({ device: sim.address, service: 'visa-master' });
    // remise accepts discover; visa-master (openTenkey's) does not.
    expect(await keypad.readCard({ service: 'remise', timeoutSeconds: 10 })).toMatchObject({ brand: 'discover' });
    const error = await rejectionOf(keypad.readCard({ timeoutSeconds: 10 }));
    expect(error).toMatchObject({ code: 'CARD_SERVICE', reason: 'UNSUPPORTED_BRAND' });
  });

  it('accepts the Japanese name of a service, as openTenkey does', async () => {
    const sim = await simulator('pty', { keys: cardKeys(TEST_CARDS.jcb) });
    const keypad = await open({ device: sim.address });
    expect(await keypad.readCard({ service: 'テモナペイメントG', timeoutSeconds: 10 })).toMatchObject({ brand: 'jcb' });
  });

  it('rejects an unknown service with CONNECTION / UNKNOWN_SERVICE before the keypad hears of the entry', async () => {
    const sim = await simulator('pty');
    const keypad = await open({ device: sim.address });
    const states: string[] = [];
    sim.keypad.on('state', (state) => states.push(state));
    const error = await rejectionOf(keypad.readCard({ service: 'no-such-service' }));
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code: 'CONNECTION', reason: 'UNKNOWN_SERVICE' });
    expect(keypad.busy).toBe(false);
    // A PING answered after the rejection: a START_ENTRY sent before it would have been handled by now.
    await keypad.ping();
    expect(states).toEqual([]);
    expect(sim.keypad.activeSessionId).toBeUndefined();
  });

  it.each([[42], [null], [{ id: 'all' }]])('rejects service %j with TEMPORARY / INVALID_OPTIONS', (service) => {
    expect(resolveReadCardOptions({ service })).toEqual({ invalid: 'service must be a string (a card service id or name)' });
  });

  it('passes a string service through resolveReadCardOptions unchanged', () => {
    expect(resolveReadCardOptions({ service: 'gmo-pg' })).toMatchObject({ service: 'gmo-pg', timeoutSeconds: 60 });
  });
});
