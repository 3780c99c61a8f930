/**
 * Bad requests to the reference store's card API (demo-store), over real HTTP: card blocks the token service has
 * already seen from that keypad (PROTOCOL.md §7.1, receiver side) get no second token, so no second 与信.
 */
import { expect } from 'vitest';
import { startDemoStore, type RunningDemoStore } from '../../demo-store/index.js';
import { encryptCardEntry } from '../../device-sim/crypto/card-block.js';
import { createTestDukptDevice } from '../../device-sim/crypto/test-keys.js';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import type { BadInputRow } from './bad-input-row.js';
import { tempFiles, withCleanup, type Defer } from './check-scope.js';

async function storeFor(defer: Defer, acceptedKsnFile?: string): Promise<RunningDemoStore> {
  const store = await startDemoStore({ port: 0, ...(acceptedKsnFile === undefined ? {} : { acceptedKsnFile }) });
  defer(() => store.close());
  return store;
}

/** The keypad RESULT fields (hex) for a TEST card encrypted with the TEST keys at this counter. */
function resultAt(counter: number): { keySerialNumber: string; encryptedBlock: string } {
  const device = createTestDukptDevice(counter);
  const block = encryptCardEntry(device, { panDigits: Uint8Array.from(TEST_CARDS.visa, (c) => c.charCodeAt(0) - 0x30) });
  device.destroy();
  return { keySerialNumber: block.keySerialNumber.toString('hex'), encryptedBlock: block.encryptedBlock.toString('hex') };
}

async function postCard(store: RunningDemoStore, body: unknown): Promise<{ status: number; json: { token?: string; error?: Record<string, unknown> } }> {
  const response = await fetch(`${store.url}/api/cards`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as { token?: string; error?: Record<string, unknown> } };
}

const REPLAYED = { code: 'ENTRY_TIMEOUT', cause: 'REPLAYED_KSN' };

export const storeRows: BadInputRow[] = [
  {
    area: 'store', input: 'a keypad result posted a second time (the browser back-and-resubmit, a copied request)',
    answer: '`409`, store message `ENTRY_TIMEOUT` (enter the card on the keypad again), cause `REPLAYED_KSN`: no second token, so no second 与信',
    check: () => withCleanup(async (defer) => {
      const store = await storeFor(defer);
      const result = resultAt(7);
      expect((await postCard(store, result)).status).toBe(201);
      const again = await postCard(store, result);
      expect(again.status).toBe(409);
      expect(again.json.error).toMatchObject(REPLAYED);
      expect(again.json.token).toBeUndefined();
    }),
  },
  {
    area: 'store', input: "a keypad result whose KSN counter is lower than one already accepted from that keypad (an older block, a keypad whose counter went back)",
    answer: '`409` `ENTRY_TIMEOUT` / `REPLAYED_KSN`; each keypad (initial key ID) has its own highest counter',
    check: () => withCleanup(async (defer) => {
      const store = await storeFor(defer);
      const older = resultAt(10);
      expect((await postCard(store, resultAt(12))).status).toBe(201);
      const answer = await postCard(store, older);
      expect(answer.status).toBe(409);
      expect(answer.json.error).toMatchObject(REPLAYED);
      expect((await postCard(store, resultAt(13))).status).toBe(201);
    }),
  },
  {
    area: 'store', input: 'a damaged record of accepted KSNs at start (`tenkey demo-store` keeps it under $XDG_STATE_HOME)',
    answer: 'the store does not start (`AcceptedKsnsFileError` `UNREADABLE_ACCEPTED_KSNS`): an empty record would accept every old block again',
    check: () => withCleanup(async (defer) => {
      const file = tempFiles(defer)('accepted-ksns.json', '{"format":"tenkey-accepted-ksns/1","highest":');
      await expect(storeFor(defer, file)).rejects.toMatchObject({ code: 'UNREADABLE_ACCEPTED_KSNS' });
    }),
  },
];
