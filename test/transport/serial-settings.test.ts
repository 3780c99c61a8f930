/**
 * PROTOCOL.md §1's serial line settings, as the driver really sets them: the driver's serial transport opens the
 * simulator's PTY, and `stty -a` on that port then shows raw mode, 8N1, no flow control, no echo and no CR/LF
 * mapping (what the spec requires of a host's port).
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { PtyPort } from '../../device-sim/transport/pty-port.js';
import { openSerialTransport } from '../../host-driver/transport/serial-transport.js';
import type { ByteTransport } from '../../host-driver/transport/byte-transport.js';

let port: PtyPort | undefined;
let transport: ByteTransport | undefined;
afterEach(async () => {
  await transport?.close();
  await port?.close();
  transport = undefined;
  port = undefined;
});

describe('the driver\'s serial port settings (PROTOCOL.md §1)', () => {
  it('are raw 8N1 with no flow control, no echo and no CR/LF mapping', async () => {
    port = PtyPort.open();
    // Cooked first (echo, line editing, signals, XON/XOFF, CR/LF mapping): whatever comes out raw, the driver set.
    // A pty keeps cs8 -parenb -cstopb -crtscts whatever is asked, so those four only show the port is 8N1 unflowed.
    execFileSync('stty', ['-F', port.path, 'sane']);
    expect(execFileSync('stty', ['-F', port.path, '-a'], { encoding: 'utf8' })).toMatch(/(^|\s)icanon(\s|$)/);
    transport = await openSerialTransport(port.path);
    const flags = new Set(execFileSync('stty', ['-F', port.path, '-a'], { encoding: 'utf8' }).split(/[\s;]+/));
    const required = [
      'cs8', '-parenb', '-cstopb', // 8N1
      '-crtscts', '-ixon', '-ixoff', // no flow control
      '-echo', '-icanon', '-isig', '-iexten', // raw: no echo, no line editing, no signals
      '-icrnl', '-inlcr', '-igncr', '-istrip', '-opost', // no byte mapping either way
    ];
    expect(required.filter((flag) => !flags.has(flag))).toEqual([]);
  });
});
