/** A store backend's jest test (ESM) against tenkey/testing: a read, and a timeout on virtual time. */
import { afterEach, expect, test } from '@jest/globals';
import { createTestKeypad, type TestKeypad } from 'tenkey/testing';

let kit: TestKeypad | undefined;
afterEach(async () => { await kit?.close(); });

test('reads a test card', async () => {
  kit = await createTestKeypad();
  kit.device.nextEntry({ card: 'mastercard' });
  const card = await kit.run(kit.keypad.readCard());
  expect(card).toMatchObject({ brand: 'mastercard', last: '444' });
});

test('times out on virtual time', async () => {
  kit = await createTestKeypad();
  const timedOut = expect(kit.keypad.readCard({ timeoutSeconds: 60 })).rejects.toMatchObject({ code: 'ENTRY_TIMEOUT' });
  await kit.advance(61_000);
  await timedOut;
});
