import { describe, expect, it } from 'vitest';
import { openTenkey } from '../../host-driver/index.js';
import { fakeDevice, INFO, say } from './fake-device.js';
import { open, recordProgress, rejectionOf } from './harness.js';

describe('the HELLO → INFO handshake', () => {
  it('discards frames that arrive before HELLO is answered (a previous host\'s session)', async () => {
    const device = await fakeDevice(
      (message, { link }) => {
        if (message.type === 'HELLO') say(link, { ...INFO, acceptedBrands: [...INFO.acceptedBrands] });
        if (message.type === 'START_ENTRY') {
          say(link, { type: 'STATUS', state: 'PAN', sessionId: message.sessionId, field: 'PAN', digits: 0, secondsLeft: 60, notice: 'NONE' });
          say(link, {
            type: 'RESULT', sessionId: message.sessionId, brand: 'visa', last: '111', keySerialNumber: new Uint8Array(12), encryptedBlock: new Uint8Array(32),
          });
        }
      },
      ({ writeRaw }) => {
        // Leftovers of an old session, on the wire before the driver even said HELLO.
        writeRaw({ type: 'KEY', sessionId: 5, keyClass: 'DIGIT', field: 'PAN', digits: 3, notice: 'NONE' }, 200);
        writeRaw({ type: 'RESULT', sessionId: 5, brand: 'jcb', last: '999', keySerialNumber: new Uint8Array(12), encryptedBlock: new Uint8Array(32) }, 201);
      },
    );
    const keypad = await open({ device: device.address });
    expect(keypad.device).toMatchObject({ model: 'FAKE', serialNumber: 'F-1', keySetId: '11'.repeat(8), acceptedBrands: ['visa'] });
    const progress = recordProgress(keypad);
    expect(await keypad.readCard()).toMatchObject({ brand: 'visa', last: '111' });
    expect(progress.every((p) => p.sessionId !== 5)).toBe(true);
  });

  it('fails CONNECTION / VERSION_MISMATCH when INFO names a version this driver does not speak', async () => {
    const device = await fakeDevice((message, { link }) => {
      if (message.type === 'HELLO') say(link, { ...INFO, acceptedBrands: [], protocolVersion: 9 });
    });
    expect(await rejectionOf(openTenkey({ device: device.address }))).toMatchObject({ code: 'CONNECTION', reason: 'VERSION_MISMATCH' });
  });

  it('fails TEMPORARY / UNSUPPORTED_VERSION when the keypad refuses our version range', async () => {
    const device = await fakeDevice((message, { link }) => {
      if (message.type === 'HELLO') say(link, { type: 'ERROR', sessionId: 0, code: 'UNSUPPORTED_VERSION', detail: 'speaks 2-3' });
    });
    expect(await rejectionOf(openTenkey({ device: device.address }))).toMatchObject({ code: 'TEMPORARY', reason: 'UNSUPPORTED_VERSION' });
  });

  it('fails CONNECTION / NO_HELLO_ANSWER when the peer ACKs but never answers HELLO', async () => {
    const device = await fakeDevice(() => {});
    const error = await rejectionOf(openTenkey({ device: device.address, connectTimeoutMs: 300 }));
    expect(error).toMatchObject({ code: 'CONNECTION', reason: 'NO_HELLO_ANSWER' });
    expect(device.received.map((m) => m.type)).toContain('HELLO');
  });

  it('says HELLO again when the keypad ACKed HELLO but its INFO never came (PROTOCOL.md §6.5), and connects', async () => {
    let hellos = 0;
    const device = await fakeDevice((message, { link }) => {
      // The first INFO is "lost": this keypad, like one whose INFO failed NO_ACK, does not send it again by itself.
      if (message.type === 'HELLO' && ++hellos > 1) say(link, { ...INFO, acceptedBrands: [] });
    });
    const keypad = await open({ device: device.address, connectTimeoutMs: 3000 });
    expect(keypad.device).toMatchObject({ model: 'FAKE' });
    expect(device.received.filter((m) => m.type === 'HELLO')).toHaveLength(2);
  });

  it('gives up with NO_HELLO_ANSWER at its connect deadline, having asked about once per ANSWER_WAIT_MS', async () => {
    const device = await fakeDevice(() => {});
    const error = await rejectionOf(openTenkey({ device: device.address, connectTimeoutMs: 2500, reconnect: false }));
    expect(error).toMatchObject({ code: 'CONNECTION', reason: 'NO_HELLO_ANSWER' });
    // HELLO at 0, again about 1,000 ms after each ACK: two or three in 2,500 ms (by load), never a burst.
    const hellos = device.received.filter((m) => m.type === 'HELLO').length;
    expect(hellos).toBeGreaterThanOrEqual(2);
    expect(hellos).toBeLessThanOrEqual(3);
  });

  it('ends a running entry at once when the keypad sends ERROR BUSY for session 0 (it serves another host)', async () => {
    const device = await fakeDevice((message, { link }) => {
      if (message.type === 'HELLO') say(link, { ...INFO, acceptedBrands: [] });
      if (message.type === 'START_ENTRY') {
        say(link, { type: 'STATUS', state: 'PAN', sessionId: message.sessionId, field: 'PAN', digits: 0, secondsLeft: 60, notice: 'NONE' });
        say(link, { type: 'ERROR', sessionId: 0, code: 'BUSY', detail: 'another host is connected' });
      }
    });
    const keypad = await open({ device: device.address });
    const started = Date.now();
    expect(await rejectionOf(keypad.readCard())).toMatchObject({ code: 'TEMPORARY', reason: 'BUSY' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(keypad.busy).toBe(false);
  });

  it('sends the accepted brands of the configured 利用サービス in START_ENTRY', async () => {
    const device = await fakeDevice((message, { link }) => {
      if (message.type === 'HELLO') say(link, { ...INFO, acceptedBrands: [] });
      if (message.type === 'START_ENTRY') say(link, { type: 'ERROR', sessionId: message.sessionId, code: 'BUSY', detail: '' });
    });
    const keypad = await open({ device: device.address, service: 'remise' });
    expect(await rejectionOf(keypad.readCard({ timeoutSeconds: 42, reveal: 4, expiryRequired: false }))).toMatchObject({
      code: 'TEMPORARY', reason: 'BUSY',
    });
    const start = device.received.find((m) => m.type === 'START_ENTRY');
    expect(start).toMatchObject({ inactivityTimeoutS: 42, reveal: 4, expiryRequired: false });
    // On the wire the set is a bitmask: order is the brand codes', not the service's.
    expect(start?.type === 'START_ENTRY' && [...start.acceptedBrands].sort()).toEqual(
      ['american-express', 'diners-club', 'discover', 'jcb', 'mastercard', 'visa'],
    );
  });
});
