// A store backend reading one card from a keypad at the address given (e.g. the installed `tenkey sim`'s).
import { isTenkeyError, openTenkey } from 'tenkey';
import { keptOf } from './entry-points.js';

const device = process.argv[2];
if (device === undefined) throw new Error('usage: node read-card-over-tcp.js tcp://HOST:PORT');

const keypad = await openTenkey({ device, connectTimeoutMs: 10_000 });
try {
  const card = await keypad.readCard({ timeoutSeconds: 30 });
  console.log(JSON.stringify(keptOf(card)));
} catch (error) {
  console.log(JSON.stringify({ error: isTenkeyError(error) ? error.code : String(error) }));
  process.exitCode = 1;
} finally {
  await keypad.close();
}
