import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every project file reachable from `entry` through static and dynamic imports (relative specifiers only). */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [resolve(root, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), fileName.replace(/\.js$/, '.ts'));
      if (!existsSync(target)) throw new Error(`${relative(root, file)} imports missing ${fileName}`);
      queue.push(target);
    }
  }
  return new Set([...seen].map((f) => relative(root, f)));
}

describe("the host driver's import graph", () => {
  it.each(['host-driver/index.ts', 'cli/commands/read.ts', 'cli/commands/doctor.ts'])(
    '%s never reaches the decrypt side (device-sim/crypto)',
    (entry) => {
      const files = [...importGraph(entry)];
      expect(files).toContain(entry);
      expect(files.length).toBeGreaterThan(5);
      expect(files.filter((f) => f.startsWith('device-sim/crypto/'))).toEqual([]);
    },
  );

  it('imports nothing from device-sim: the address parser it shares with the simulator lives in protocol/', () => {
    const files = [...importGraph('host-driver/index.ts')];
    expect(files.filter((f) => f.startsWith('device-sim/'))).toEqual([]);
    expect(files).toContain('protocol/device-address.ts');
  });
});

describe("the protocol library's import graph", () => {
  it.each(['protocol/index.ts', 'protocol/capture/index.ts'])(
    '%s stays the lowest layer: it reaches nothing outside protocol/',
    (entry) => {
      const files = [...importGraph(entry)];
      expect(files.length).toBeGreaterThan(3);
      expect(files.filter((f) => !f.startsWith('protocol/'))).toEqual([]);
    },
  );
});

describe("the bridge's import graph", () => {
  it.each(['bridge/index.ts', 'cli/commands/bridge.ts'])('%s imports only the driver and the protocol: nothing from device-sim', (entry) => {
    const files = [...importGraph(entry)];
    expect(files).toContain('bridge/bridge-server.ts');
    expect(files).toContain('host-driver/open-tenkey.ts');
    expect(files.filter((f) => f.startsWith('device-sim/'))).toEqual([]);
    expect(files.filter((f) => !/^(bridge|host-driver|protocol|cli)\//.test(f))).toEqual([]);
  });
});

describe("the test kit's import graph", () => {
  it('testing/index.ts reaches no native code, PTY or socket: only the cable, the driver, the keypad and the payment stand-ins', () => {
    const files = [...importGraph('testing/index.ts')];
    expect(files).toContain('testing/test-keypad.ts');
    expect(files).toContain('host-driver/open-over-transport.ts');
    expect(files).toContain('device-sim/virtual-keypad.ts');
    expect(files.filter((f) => /^device-sim\/(transport|keypad-server)|^host-driver\/transport\/(?!byte-transport)|^native\//.test(f))).toEqual([]);
    expect(files.filter((f) => !/^(testing|host-driver|device-sim|payment-sim|protocol)\//.test(f))).toEqual([]);
  });
});

describe('one entry statechart on both ends of the wire', () => {
  const STATECHART = 'protocol/entry/entry-statechart.ts';
  it.each(['device-sim/virtual-keypad.ts', 'host-driver/index.ts'])('%s reaches protocol/entry/entry-statechart.ts', (entry) => {
    const files = importGraph(entry);
    expect(files.has(STATECHART)).toBe(true);
  });

  it('the keypad runs it through its provision (device-sim/entry/entry-machine.ts), the driver through its own (host-driver/entry-reports.ts)', () => {
    expect(importGraph('device-sim/virtual-keypad.ts').has('device-sim/entry/entry-machine.ts')).toBe(true);
    expect(importGraph('host-driver/index.ts').has('host-driver/entry-reports.ts')).toBe(true);
    // No second entry machine: the only module that calls createMachine for the entry is the statechart itself.
    const machines = [...importGraph('device-sim/virtual-keypad.ts'), ...importGraph('host-driver/index.ts')]
      .filter((f) => /\.createMachine\(/.test(readFileSync(resolve(root, f), 'utf8')));
    // The driver's connection machine (host-driver/connection/) is a machine, but not an entry one.
    expect([...new Set(machines)].filter((f) => f !== STATECHART && f !== 'host-driver/connection/connection-machine.ts')).toEqual([]);
  });
});
