/**
 * One DUKPT counter for every test kit in the process. The kits' keypads all hold the same TEST key set, and a
 * token service refuses a KSN whose counter is not above the last it accepted from that key set (REPLAYED_KSN):
 * kits that each started at counter 1 could not share one createTestPaymentServices(). Each entry of any kit
 * takes the next counter from here, so kits created one after another, or open side by side, never repeat a KSN.
 */
import { DukptDevice, FIRST_COUNTER, nextValidCounter, type DukptTransaction, type WorkingKeyUsage } from '../device-sim/crypto/aes-dukpt.js';
import { createTestDukptDevice, loadTestKeys } from '../device-sim/crypto/test-keys.js';

/** The counter the process's next test entry uses; null once the TEST key set has none left. */
let nextCounter: number | null = FIRST_COUNTER;

/** The TEST key register of a kit whose entries take their counters from the process-wide one. */
export class ProcessWideTestDukpt extends DukptDevice {
  #destroyed = false;

  constructor() {
    const { bdk, initialKey, initialKeyId } = loadTestKeys();
    bdk.fill(0);
    try {
      super(initialKey, initialKeyId);
    } finally {
      initialKey.fill(0); // the device keeps its own copy
    }
  }

  override get counter(): number | null {
    return nextCounter;
  }

  override get exhausted(): boolean {
    return nextCounter === null;
  }

  override nextTransaction(usage?: WorkingKeyUsage): DukptTransaction {
    if (this.#destroyed) return super.nextTransaction(usage); // throws INVALID_KEY, as any destroyed register does
    // A register at the shared counter spends it; the counter moves on before the key exists, as DukptDevice does.
    const register = createTestDukptDevice({ startCounter: nextCounter });
    try {
      const transaction = register.nextTransaction(usage);
      nextCounter = nextValidCounter(transaction.counter);
      return transaction;
    } finally {
      register.destroy();
    }
  }

  override destroy(): void {
    this.#destroyed = true;
    super.destroy();
  }
}
