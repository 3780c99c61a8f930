/**
 * Child process for tty-stream-transport.test.ts: a PtyPort and the driver's tty stream transport on it exchange a
 * byte, both close, and the process simply returns. A handle that survived close() would keep it from exiting.
 */
import { PtyPort } from '../../device-sim/transport/pty-port.js';
import { openTtyStreamTransport } from '../../host-driver/transport/tty-stream-transport.js';
import { readBytes } from './pty-helpers.js';

const port = PtyPort.open();
const transport = await openTtyStreamTransport(port.path);
const got = readBytes(transport as never, 1);
port.write(Buffer.from([0x42]));
const bytes = await got;
await transport.close();
await port.close();
process.stdout.write(`ok ${bytes.toString('hex')}\n`);
