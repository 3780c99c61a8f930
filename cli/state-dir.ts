/**
 * Where the CLI keeps what must outlive a run (XDG Base Directory spec: $XDG_STATE_HOME, else ~/.local/state):
 * a virtual keypad's DUKPT counter (one file per simulated serial number) and the demo store's record of the KSNs
 * it accepted. Tests point XDG_STATE_HOME at a temporary folder (test/setup/state-dir.ts).
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { DEFAULT_DEVICE_IDENTITY } from '../device-sim/virtual-keypad.js';

/** `$XDG_STATE_HOME/tenkey`, or `~/.local/state/tenkey` (a relative XDG_STATE_HOME is ignored, as the spec says). */
export function tenkeyStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  return join(xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'state'), 'tenkey');
}

/** The state file of the simulated keypad with this serial number (its DUKPT counter). */
export function keypadStateFile(serialNumber: string = DEFAULT_DEVICE_IDENTITY.serialNumber): string {
  return join(tenkeyStateDir(), 'keypads', `${serialNumber.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

/** The demo store's record of the highest transaction counter it accepted per keypad. */
export function demoStoreKsnFile(): string {
  return join(tenkeyStateDir(), 'demo-store', 'accepted-ksns.json');
}
