/**
 * The soak's judge on crafted entries: it must refuse what the soak exists to catch — another entry's RESULT
 * holding the very same card, a KSN handed out twice, a RESULT the keypad never sent, a spurious cancel, a timeout
 * after every key was typed — and count a good RESULT as good. Cards are TEST cards, named, never written out.
 */
import { describe, expect, it } from 'vitest';
import { encryptCardEntry } from '../../device-sim/crypto/card-block.js';
import { seededRandomBytes } from '../../device-sim/crypto/seeded-random-bytes.js';
import { createTestDukptDevice, loadTestKeys } from '../../device-sim/crypto/test-keys.js';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { TenkeyCancelledError, tenkeyError } from '../../host-driver/errors.js';
import type { CardReadResult, DeviceInfo } from '../../host-driver/results.js';
import { emptyKeypadTrail, judgeError, judgeResult, type EntryTrail, type JudgeContext, type JudgedCounts } from './soak-judge.js';
import { brandOf, type PlannedEntry } from './soak-plan.js';

const DEVICE = { address: 'memory://soak' } as DeviceInfo;
const digits = (text: string) => Uint8Array.from(text, (c) => Number(c));

function counts(): JudgedCounts {
  return {
    results: 0, errors: { CARD_SERVICE: 0, CONNECTION: 0, ENTRY_TIMEOUT: 0, TEMPORARY: 0 }, causes: {},
    cancelled: 0, duplicated: 0, wrongCard: 0, wrongOutcome: 0,
  };
}

/** One keypad with the TEST keys and a judge context over the TEST BDK. */
function bench() {
  const dukpt = createTestDukptDevice();
  const context: JudgeContext = { bdk: loadTestKeys().bdk, seen: { ksns: new Set(), sessions: new Set() } };
  const trail: EntryTrail = { ...emptyKeypadTrail(), driverSession: undefined };
  const random = seededRandomBytes(7);
  /** The keypad encrypts `entry` in `session` (typed there in full) and sends its RESULT. */
  const encrypt = (entry: PlannedEntry, session: number): CardReadResult => {
    const pan = TEST_CARDS[entry.card];
    const { keySerialNumber, encryptedBlock } = encryptCardEntry(dukpt, { panDigits: digits(pan), expiry: digits(entry.expiry) }, random);
    const ksn = keySerialNumber.toString('hex');
    trail.typedEntryOf.set(session, entry.index);
    trail.fullyTyped.add(session);
    trail.resultSessionOf.set(ksn, session);
    return {
      brand: brandOf(entry.card), last: pan.slice(-3), keySerialNumber: ksn, encryptedBlock: encryptedBlock.toString('hex'), sessionId: session, device: DEVICE,
    };
  };
  return { context, trail, encrypt };
}

const visa = (index: number): PlannedEntry => ({ index, card: 'visa', expiry: '0530', expired: false });

describe('soak judge', () => {
  it("counts an entry's own RESULT that decrypts to the typed card as good", () => {
    const { context, trail, encrypt } = bench();
    const row = counts();
    const result = encrypt(visa(0), 100);
    judgeResult(row, visa(0), result, { ...trail, driverSession: 100 }, context);
    expect(row).toMatchObject({ results: 1, wrongCard: 0, duplicated: 0 });
  });

  it('refuses an earlier entry\'s never-delivered RESULT handed to a later readCard, same card and expiry', () => {
    const { context, trail, encrypt } = bench();
    const earlier = encrypt(visa(0), 100); // entry 0 ended in an error: this RESULT was never handed out
    encrypt(visa(1), 101);
    // As the keypad sent it (session 100), and relabelled with the later entry's session by a confused driver.
    for (const stale of [earlier, { ...earlier, sessionId: 101 }]) {
      const row = counts();
      judgeResult(row, visa(1), stale, { ...trail, driverSession: 101 }, { ...context, seen: { ksns: new Set(), sessions: new Set() } });
      expect(row).toMatchObject({ results: 0, wrongCard: 1 });
    }
  });

  it('counts a KSN handed out a second time as duplicated', () => {
    const { context, trail, encrypt } = bench();
    const row = counts();
    const result = encrypt(visa(0), 100);
    judgeResult(row, visa(0), result, { ...trail, driverSession: 100 }, context);
    judgeResult(row, visa(1), { ...result, sessionId: 101 }, { ...trail, driverSession: 101 }, context);
    expect(row).toMatchObject({ results: 1, duplicated: 1 });
  });

  it('refuses a RESULT the keypad never sent and one that decrypts to another card', () => {
    const { context, trail, encrypt } = bench();
    const row = counts();
    const result = encrypt(visa(0), 100);
    trail.resultSessionOf.clear();
    judgeResult(row, visa(0), result, { ...trail, driverSession: 100 }, context);
    const typedMastercard: PlannedEntry = { index: 1, card: 'mastercard', expiry: '0530', expired: false };
    const other = encrypt(visa(1), 101);
    trail.typedEntryOf.set(101, 1);
    judgeResult(row, typedMastercard, { ...other, brand: brandOf('mastercard') }, { ...trail, driverSession: 101 }, context);
    expect(row).toMatchObject({ results: 0, wrongCard: 2 });
  });

  it('counts a cancel, CARD_SERVICE for a valid card and ENTRY_TIMEOUT after every key as wrong outcomes', () => {
    const { trail } = bench();
    trail.typedEntryOf.set(100, 0);
    trail.fullyTyped.add(100);
    trail.typedEntryOf.set(101, 1); // typed, but not every key reached the keypad
    const row = counts();
    judgeError(row, visa(0), new TenkeyCancelledError('host'), { ...trail, driverSession: 100 });
    judgeError(row, visa(0), tenkeyError('EXPIRED_CARD'), { ...trail, driverSession: 100 });
    judgeError(row, visa(0), tenkeyError('HOST_SESSION_LIMIT'), { ...trail, driverSession: 100 });
    expect(row).toMatchObject({ cancelled: 1, wrongOutcome: 3, errors: { CARD_SERVICE: 1, ENTRY_TIMEOUT: 1, CONNECTION: 0, TEMPORARY: 0 } });

    const fine = counts();
    judgeError(fine, visa(1), tenkeyError('HOST_SESSION_LIMIT'), { ...trail, driverSession: 101 });
    judgeError(fine, { ...visa(2), expired: true }, tenkeyError('EXPIRED_CARD'), { ...trail, driverSession: 102 });
    judgeError(fine, visa(3), tenkeyError('NO_ACK'), { ...trail, driverSession: undefined });
    expect(fine).toMatchObject({ wrongOutcome: 0, errors: { CARD_SERVICE: 1, ENTRY_TIMEOUT: 1, CONNECTION: 1, TEMPORARY: 0 } });
  });
});
