/**
 * Every test file gets its own XDG_STATE_HOME (the CLI's state folder, cli/state-dir.ts), inherited by the CLI
 * processes it starts: no test writes a keypad counter or a store record into the real ~/.local/state, and test
 * files running in parallel never share one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const stateHome = mkdtempSync(join(tmpdir(), 'tenkey-state-'));
process.env.XDG_STATE_HOME = stateHome;
afterAll(() => rmSync(stateHome, { recursive: true, force: true }));
