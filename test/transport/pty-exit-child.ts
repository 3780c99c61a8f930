/**
 * Child process for pty-port.test.ts: uses a PtyPort with a real serialport host, closes both, and then
 * simply returns. If any handle survived close(), this process would never exit and the test would fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PtyPort } from '../../device-sim/transport/pty-port.js';
import { closeHost, openHost, readBytes } from './pty-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tenkey-exit-'));
const port = PtyPort.open({ link: join(dir, 'ttyTENKEY0') });
const host = await openHost(port.address);
port.write(Buffer.from([0x42]));
const got = await readBytes(host, 1);
await closeHost(host);
await port.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`ok ${got.toString('hex')}\n`);
