/**
 * The virtual keypad's counter memory (PROTOCOL.md §7.1): with a state file its DUKPT counter survives restarts
 * and crashes, so no KSN is used twice; exhaustion survives too. Without one (VirtualKeypad's default, what
 * tenkey/testing and the soak use) the counter lives in memory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_COUNTER, parseKsn } from '../../device-sim/crypto/aes-dukpt.js';
import { encryptCardEntry } from '../../device-sim/crypto/card-block.js';
import { createTestDukptDevice } from '../../device-sim/crypto/test-keys.js';
import { CounterFileError } from '../../device-sim/firmware/counter-file.js';
import { startSimulator, VirtualKeypad, type RunningSimulator, type SimulatorOptions } from '../../device-sim/index.js';
import type { DeviceMessage } from '../../protocol/index.js';
import { connectTcp, startEntryMessage, TestHost } from './test-host.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CARD = '4111111111111111<enter>1230<enter>';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function stateFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenkey-counter-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'keypad.json');
}

async function hostOn(address: string): Promise<TestHost> {
  const host = new TestHost(await connectTcp(address));
  cleanups.push(() => host.close());
  await host.hello();
  return host;
}

/** One entry on a fresh simulator with these options: the RESULT's or ERROR's message. */
async function oneEntry(options: SimulatorOptions): Promise<Extract<DeviceMessage, { type: 'RESULT' | 'ERROR' }>> {
  const sim = await startSimulator({ listen: 'tcp://127.0.0.1:0', keys: CARD, ...options });
  try {
    const host = await hostOn(sim.address);
    await host.send(startEntryMessage(1));
    return await host.end();
  } finally {
    await sim.close();
  }
}

function counterOf(end: DeviceMessage): number {
  if (end.type !== 'RESULT') throw new Error(`expected RESULT, got ${end.type}`);
  return parseKsn(end.keySerialNumber).counter;
}

function refusal(start: () => unknown): unknown {
  try {
    start();
  } catch (error) {
    return error;
  }
  throw new Error('expected the keypad to refuse to start');
}

const savedNext = (file: string): number | null => (JSON.parse(readFileSync(file, 'utf8')) as { nextCounter: number | null }).nextCounter;

describe('the keypad counter file', () => {
  it('keeps the counter across restarts: each run of the keypad uses a new KSN', async () => {
    const counterFile = stateFile();
    const counters = [counterOf(await oneEntry({ counterFile })), counterOf(await oneEntry({ counterFile })), counterOf(await oneEntry({ counterFile }))];
    expect(counters).toEqual([1, 2, 3]);
    expect(savedNext(counterFile)).toBe(4);
  });

  it('without one (the default in code), the counter is in memory: a new keypad starts at 1 again', async () => {
    expect(counterOf(await oneEntry({}))).toBe(1);
    expect(counterOf(await oneEntry({}))).toBe(1);
  });

  it('has moved the counter in the file before the RESULT leaves the keypad', async () => {
    const counterFile = stateFile();
    const sim = await startSimulator({ listen: 'tcp://127.0.0.1:0', keys: CARD, counterFile, keyCounter: 41 });
    cleanups.push(() => sim.close());
    const savedWhenSent: (number | null)[] = [];
    sim.keypad.on('frame-out', (frame) => { if (frame.message.type === 'RESULT') savedWhenSent.push(savedNext(counterFile)); });
    const host = await hostOn(sim.address);
    await host.send(startEntryMessage(1));
    expect(counterOf(await host.end())).toBe(41);
    expect(savedWhenSent[0]).toBe(42);
  });

  it('never repeats a KSN when the keypad crashes between saving the counter and sending the RESULT', async () => {
    const counterFile = stateFile();
    const before = counterOf(await oneEntry({ counterFile }));
    const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'device-sim', 'fixtures', 'crash-after-counter-save.ts'), counterFile], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
    const exited = once(child, 'exit');
    const [address] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const host = await hostOn(address);
    await host.send(startEntryMessage(1));
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');
    expect(host.received.some((m) => m.type === 'RESULT')).toBe(false);
    expect(savedNext(counterFile)).toBe(before + 2); // the crashed entry's counter is spent
    const after = counterOf(await oneEntry({ counterFile }));
    expect(after).toBe(before + 2);
  });

  it('stays used up across a restart: KEY_EXHAUSTED at START_ENTRY, as PROTOCOL.md §7.1 says', async () => {
    const counterFile = stateFile();
    const sim = await startSimulator({ listen: 'tcp://127.0.0.1:0', keys: CARD, counterFile, keyCounter: MAX_COUNTER });
    cleanups.push(() => sim.close());
    const host = await hostOn(sim.address);
    await host.send(startEntryMessage(1));
    expect(counterOf(await host.end())).toBe(MAX_COUNTER);
    await host.send(startEntryMessage(2));
    expect(await host.end()).toMatchObject({ type: 'ERROR', code: 'KEY_EXHAUSTED' });
    await sim.close();
    expect(savedNext(counterFile)).toBeNull();
    expect(await oneEntry({ counterFile })).toMatchObject({ type: 'ERROR', code: 'KEY_EXHAUSTED' });
  });

  it('lets a start counter move the saved one forward, never back', async () => {
    const counterFile = stateFile();
    expect(counterOf(await oneEntry({ counterFile, keyCounter: 100 }))).toBe(100);
    expect(counterOf(await oneEntry({ counterFile, keyCounter: 200 }))).toBe(200);
    expect(() => new VirtualKeypad({ counterFile, keyCounter: 150 })).toThrow(expect.objectContaining({ code: 'COUNTER_GOES_BACK' }));
  });

  it('fails the transaction when the counter cannot be saved, and still never reuses that counter', () => {
    const saved: (number | null)[] = [];
    let full = true;
    const dukpt = createTestDukptDevice({
      startCounter: 5,
      counterMemory: { save(next) { if (full) throw new Error('ENOSPC'); saved.push(next); } },
    });
    expect(() => encryptCardEntry(dukpt, { panDigits: Uint8Array.from('4111111111111111', (c) => c.charCodeAt(0) - 0x30) })).toThrow('ENOSPC');
    full = false;
    const { keySerialNumber } = encryptCardEntry(dukpt, { panDigits: Uint8Array.from('4111111111111111', (c) => c.charCodeAt(0) - 0x30) });
    expect(parseKsn(keySerialNumber).counter).toBe(6);
    expect(saved).toEqual([7]);
  });

  it('takes either a counter file or a key register of its own, not both', () => {
    expect(() => new VirtualKeypad({ counterFile: stateFile(), dukpt: createTestDukptDevice() })).toThrow(TypeError);
  });

  it('is held by one running keypad: a second on the same file is refused IN_USE, naming the file and the holder', () => {
    const counterFile = stateFile();
    const first = new VirtualKeypad({ counterFile });
    cleanups.push(() => first.close());
    const error = refusal(() => new VirtualKeypad({ counterFile }));
    expect(error).toBeInstanceOf(CounterFileError);
    expect((error as CounterFileError).code).toBe('IN_USE');
    expect((error as Error).message).toContain(counterFile);
    expect((error as Error).message).toContain(`process ${process.pid}`);
    expect(readFileSync(`${counterFile}.lock`, 'utf8').trim()).toBe(String(process.pid));
  });

  it('two simulators on one file never share a KSN: the second starts only after the first closed, and continues its counter', async () => {
    const counterFile = stateFile();
    const first = await startSimulator({ listen: 'tcp://127.0.0.1:0', keys: CARD, counterFile });
    let firstCounter: number;
    try {
      await expect(startSimulator({ listen: 'tcp://127.0.0.1:0', keys: CARD, counterFile })).rejects.toMatchObject({ code: 'IN_USE' });
      const host = await hostOn(first.address);
      await host.send(startEntryMessage(1));
      firstCounter = counterOf(await host.end());
    } finally {
      await first.close();
    }
    expect(existsSync(`${counterFile}.lock`)).toBe(false);
    expect(counterOf(await oneEntry({ counterFile }))).toBe(firstCounter + 1);
  });

  it('takes over a lock left by a keypad that no longer runs (its pid is gone)', async () => {
    const counterFile = stateFile();
    const before = counterOf(await oneEntry({ counterFile }));
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has exited: its pid runs nothing now
    writeFileSync(`${counterFile}.lock`, `${gone}\n`);
    const keypad = new VirtualKeypad({ counterFile });
    expect(readFileSync(`${counterFile}.lock`, 'utf8').trim()).toBe(String(process.pid));
    keypad.close();
    expect(existsSync(`${counterFile}.lock`)).toBe(false);
    expect(counterOf(await oneEntry({ counterFile }))).toBe(before + 1);
  });

  it('lets go of the file when it refuses to start, so a corrected start is not refused IN_USE', async () => {
    const counterFile = stateFile();
    await oneEntry({ counterFile, keyCounter: 300 });
    expect(() => new VirtualKeypad({ counterFile, keyCounter: 100 })).toThrow(expect.objectContaining({ code: 'COUNTER_GOES_BACK' }));
    expect(existsSync(`${counterFile}.lock`)).toBe(false);
    new VirtualKeypad({ counterFile }).close();
  });

  it.each([
    ['damaged', '{"format":', 'UNREADABLE_COUNTER_FILE'],
    ['not a DUKPT counter', JSON.stringify({ format: 'tenkey-keypad-counter/1', serialNumber: 'SIM-00000001', keySetId: '1234567890123456', nextCounter: 0 }), 'UNREADABLE_COUNTER_FILE'],
    ["another device's", JSON.stringify({ format: 'tenkey-keypad-counter/1', serialNumber: 'SIM-99', keySetId: '1234567890123456', nextCounter: 5 }), 'OTHER_DEVICE'],
  ])('refuses to start on a %s file rather than guess a counter', (_what, content, code) => {
    const counterFile = stateFile();
    writeFileSync(counterFile, content);
    const error = refusal(() => new VirtualKeypad({ counterFile }).close());
    expect(error).toBeInstanceOf(CounterFileError);
    expect((error as CounterFileError).code).toBe(code);
  });
});
