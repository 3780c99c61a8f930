// A store backend's own test: the in-process keypad from `tenkey/testing` (no PTY, no socket, no native code),
// a card read on virtual time, a timeout that fires at once, and the card service's stand-ins.
import { isTenkeyError } from 'tenkey';
import { createTestKeypad, createTestPaymentServices } from 'tenkey/testing';
import { keptOf } from './entry-points.js';

const kit = await createTestKeypad();
try {
  kit.device.nextEntry({ card: 'visa' });
  const card = await kit.run(kit.keypad.readCard());
  const { tokens, authorizations } = createTestPaymentServices();
  const { token } = tokens.tokenize(card);
  const outcome = authorizations.authorize(token, { amount: 1200 }).outcome;

  kit.device.nextEntry('timeout');
  const timedOut = kit.keypad.readCard({ timeoutSeconds: 60 }).then(
    () => 'no error',
    (error: unknown) => (isTenkeyError(error) ? error.code : String(error)),
  );
  await kit.advance(60_000);
  console.log(JSON.stringify({ card: keptOf(card), outcome, timeout: await timedOut }));
} finally {
  await kit.close();
}
