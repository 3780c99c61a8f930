import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../protocol/frame.js';
import { formatCapture } from '../../protocol/capture/capture-writer.js';
import type { Capture, CaptureRecord } from '../../protocol/capture/capture-format.js';
import { useCliHarness } from './cli-harness.js';

const keySetId = Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
const hello = encodeFrame({ type: 'HELLO', minVersion: 1, maxVersion: 1 }, 0);
const helloAck = encodeFrame({ type: 'ACK' }, 0, { fromDevice: true });
const info = encodeFrame({
  type: 'INFO', protocolVersion: 1, model: 'TK-SIM', firmwareVersion: '1.0.0', serialNumber: 'SIM0001', keySetId, acceptedBrands: [],
}, 0);
const start = encodeFrame({ type: 'START_ENTRY', sessionId: 42, inactivityTimeoutS: 60, reveal: 3, expiryRequired: true, acceptedBrands: ['visa', 'jcb'] }, 1);
const key = encodeFrame({ type: 'KEY', sessionId: 42, keyClass: 'DIGIT', field: 'PAN', digits: 1, notice: 'NONE' }, 1);
const keyAgain = encodeFrame({ type: 'KEY', sessionId: 42, keyClass: 'DIGIT', field: 'PAN', digits: 1, notice: 'NONE' }, 1, { retransmission: true });
const result = encodeFrame({
  type: 'RESULT', sessionId: 42, brand: 'visa', last: '111',
  keySerialNumber: Uint8Array.from([...keySetId, 0, 0, 0, 7]), encryptedBlock: new Uint8Array(48).fill(0xa5),
}, 2);
const badCrc = Buffer.from(key);
badCrc[badCrc.length - 2] = badCrc[badCrc.length - 2]! ^ 0xff; // a CRC byte flipped (COBS keeps it non-zero)

/** A session as a serial port delivers it: split frames, line noise, a damaged frame, a retransmission. */
const records: CaptureRecord[] = [
  { dir: 'h2d', t: 0.5, bytes: hello },
  { dir: 'd2h', t: 2, bytes: Buffer.concat([helloAck, info.subarray(0, 5)]) },
  { dir: 'd2h', t: 2.75, bytes: info.subarray(5) },
  { dir: 'h2d', t: 10, bytes: start },
  { dir: 'd2h', t: 11, bytes: Buffer.from([0xde, 0xad, 0x00]) },
  { dir: 'd2h', t: 300, bytes: badCrc },
  { dir: 'd2h', t: 550.125, bytes: keyAgain },
  { dir: 'd2h', t: 900, bytes: result },
  { event: 'close', side: 'device', t: 950 },
];
const capture: Capture = {
  header: { format: 'tenkey-capture', version: 1, protocolVersion: 1, captured: { tool: 'test', startedAt: '2026-11-26T10:00:00.000Z' } },
  records,
};

const golden = [
  '     0.500 h2d seq=0     HELLO versions=1..1  crc=ok',
  '     2.000 d2h seq=0     ACK  crc=ok',
  '     2.750 d2h seq=0     INFO version=1 model="TK-SIM" firmware="1.0.0" serial="SIM0001" keySet=123456789abcdef0 brands=-  crc=ok',
  '    10.000 h2d seq=1     START_ENTRY session=42 timeout=60s reveal=3 expiry=yes brands=visa,jcb  crc=ok',
  '    11.000 d2h seq=-     !! BAD_COBS 3B invalid COBS encoding raw=dead00  crc=n/a',
  `   300.000 d2h seq=-     !! BAD_CRC ${badCrc.length}B ${''}`,
  '   550.125 d2h seq=1   R KEY session=42 key=DIGIT field=PAN digits=1 notice=NONE  crc=ok',
  `   900.000 d2h seq=2     RESULT session=42 brand=visa last=111 ksn=123456789abcdef000000007 block=48B  crc=ok`,
  '   950.000 --- device went away',
];

describe('tenkey decode', () => {
  const { run, file } = useCliHarness();

  it('prints one line per frame: time, direction, seq, message, CRC verdict; garbage and bad frames marked', async () => {
    const { code, out } = await run('decode', file('s.jsonl', formatCapture(capture)));
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(golden.length);
    lines.forEach((line, i) => {
      if (i === 5) {
        expect(line.startsWith(golden[5]!)).toBe(true);
        expect(line).toMatch(/crc=BAD$/);
      } else {
        expect(line).toBe(golden[i]);
      }
    });
  });

  it('--json prints one JSON object per line for machines', async () => {
    const { out } = await run('decode', '--json', file('s.jsonl', formatCapture(capture)));
    const objects = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects).toHaveLength(golden.length);
    expect(objects[0]).toMatchObject({ t: 0.5, dir: 'h2d', ok: true, seq: 0, type: 'HELLO', crc: 'ok' });
    expect(objects[4]).toMatchObject({ ok: false, crc: 'n/a', error: { code: 'BAD_COBS' }, raw: 'dead00' });
    expect(objects[5]).toMatchObject({ ok: false, crc: 'BAD', error: { code: 'BAD_CRC' } });
    expect(objects[7]).toMatchObject({ type: 'RESULT', message: { brand: 'visa', last: '111', encryptedBlock: 'a5'.repeat(48) } });
    expect(objects[8]).toEqual({ t: 950, event: 'close', side: 'device' });
  });

  it('decodes a jpnevulator dump the same way', async () => {
    const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');
    const dump = ['2026-11-26 10:00:00.000500: host', hex(hello), '2026-11-26 10:00:00.002000: keypad', hex(helloAck), ''].join('\n');
    const { out } = await run('decode', file('d.txt', dump));
    // jpnevulator times are wall clock: the first timing line is capture time 0.
    expect(out.trimEnd().split('\n')).toEqual([
      '     0.000 h2d seq=0     HELLO versions=1..1  crc=ok',
      '     1.500 d2h seq=0     ACK  crc=ok',
    ]);
  });

  it('reports bad input on stderr with the line number and exits 1', async () => {
    const { code, out, err } = await run('decode', file('bad.jsonl', `${formatCapture(capture)}{"dir":"h2d","t":1e9,"hex":"abc"}\n`));
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(`tenkey decode: line ${records.length + 2}: hex must be whole bytes of hex digits [BAD_HEX]\n`);
  });

  it('says what a raw binary dump is and how to read it, instead of a hex error', async () => {
    const { code, out, err } = await run('decode', file('dump.bin', Buffer.concat([helloAck, info])));
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe('tenkey decode: not a tenkey capture (.jsonl) nor a hex dump: looks like binary; for a raw byte dump use --format raw [NOT_TEXT]\n');
  });

  it('--format raw decodes a raw byte dump of one direction (cat /dev/ttyUSB0 > dump.bin), told from its frames', async () => {
    const dump = file('dump.bin', Buffer.concat([helloAck, info, Buffer.from([0xde, 0xad, 0x00]), result]));
    const { code, out } = await run('decode', '--format', 'raw', dump);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    [/^ +0\.000 d2h seq=0 +ACK {2}crc=ok$/, /^ +0\.000 d2h seq=0 +INFO /, /^ +0\.000 d2h seq=- +!! BAD_COBS 3B /, /^ +0\.000 d2h seq=2 +RESULT session=42 brand=visa /]
      .forEach((pattern, i) => expect(lines[i]).toMatch(pattern));
    const forced = await run('decode', '--format', 'raw', '--direction', 'h2d', dump);
    expect(forced.out).toMatch(/^ +0\.000 h2d seq=0 +ACK/);
  });

  it('an unknown --format is a usage error: one line, exit 2', async () => {
    const { code, err } = await run('decode', '--format', 'pcap', file('s.jsonl', formatCapture(capture)));
    expect(code).toBe(2);
    expect(err).toBe('tenkey decode: --format must be one of auto, jsonl, hex, raw, pcapng, not "pcap"\n');
  });

  it('reports a missing file as one line, exit 1', async () => {
    const { code, err } = await run('decode', '/nonexistent/tenkey.jsonl');
    expect(code).toBe(1);
    expect(err).toMatch(/^tenkey decode: .*ENOENT/);
  });
});
