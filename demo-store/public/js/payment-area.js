// 決済方法: the payment area every form shares. The card comes from the keypad (テンキーで入力) through the popup;
// the store keeps only the one-time token, the brand and the last 3 digits it got back for the ciphertext.
import { brandLabel, maskedCard } from './brands.js';
import { readCardOnKeypad } from './keypad-card-entry.js';
import { storeApi } from './store-api.js';
import { storeMessage } from './store-messages.js';

export class PaymentArea {
  /** @type {{ token: string, brand: string, last3: string, panDigits?: number } | null} */
  card = null;
  #root;
  #settings;
  #masked;
  #button;
  #error;

  constructor(root, settings) {
    this.#root = root;
    this.#settings = settings;
    root.innerHTML = `
      <div class="payment-methods">
        <label><input type="radio" name="paymentMethod" value="credit" checked> クレジットカード</label>
        <label><input type="radio" name="paymentMethod" value="cod"> 代金引換</label>
        <label><input type="radio" name="paymentMethod" value="bank"> 銀行振込</label>
      </div>
      <div class="card-box" data-card-box>
        <span class="masked empty" data-testid="masked-card">カード情報は未登録です</span>
        <button type="button" class="keypad" data-testid="keypad-entry-button">テンキーで入力</button>
      </div>
      <p class="note">カード番号と有効期限はテンキーから入力します。この画面・サーバーにカード番号は届きません (カード情報非保持化)。</p>
      <div class="alert alert-error" role="alert" aria-live="assertive" aria-atomic="true" data-testid="card-error" hidden></div>`;
    this.#masked = root.querySelector('[data-testid="masked-card"]');
    this.#button = root.querySelector('[data-testid="keypad-entry-button"]');
    this.#error = root.querySelector('[data-testid="card-error"]');
    this.#button.addEventListener('click', () => void this.#enterCard());
    for (const radio of root.querySelectorAll('input[name="paymentMethod"]')) {
      radio.addEventListener('change', () => { root.querySelector('[data-card-box]').hidden = this.method !== 'credit'; });
    }
  }

  get method() {
    return this.#root.querySelector('input[name="paymentMethod"]:checked')?.value ?? 'credit';
  }

  get methodLabel() {
    return this.#root.querySelector('input[name="paymentMethod"]:checked')?.parentElement?.textContent?.trim() ?? '';
  }

  /** Shows one of the store's four messages (or clears the box with null). */
  showError(code) {
    if (code === null) return this.showNotice(null);
    this.showNotice(code, storeMessage(code));
  }

  /**
   * Shows `text` in the error box (role=alert: screen readers announce it) and scrolls it into view: the box
   * sits below the keypad button, often under the fold. `code` = null clears the box.
   */
  showNotice(code, text) {
    this.#error.hidden = code === null;
    this.#error.textContent = code === null ? '' : text;
    if (code === null) return;
    this.#error.dataset.code = code;
    this.#error.scrollIntoView({ behavior: 'instant', block: 'center' });
  }

  /** Forgets the card (its token is spent by any authorization, approved or not). */
  clearCard() {
    this.card = null;
    this.#masked.className = 'masked empty';
    this.#masked.textContent = 'カード情報は未登録です';
    this.#button.textContent = 'テンキーで入力';
  }

  async #enterCard() {
    this.showError(null);
    this.#button.disabled = true;
    try {
      const outcome = await readCardOnKeypad(this.#settings);
      if (outcome.kind === 'cancelled') return; // not an error: the popup just closed
      if (outcome.kind === 'error') return this.showError(outcome.code);
      const registered = await storeApi.registerCard(outcome.result);
      if (!registered.ok) return this.showError(registered.code);
      this.card = { ...registered.body, panDigits: outcome.panDigits };
      this.#masked.className = 'masked';
      this.#masked.innerHTML = '';
      const badge = document.createElement('span');
      badge.className = 'brand-badge';
      badge.textContent = brandLabel(this.card.brand);
      this.#masked.append(badge, maskedCard(this.card.last3, this.card.brand, this.card.panDigits));
      this.#button.textContent = 'カードを変更 (テンキーで入力)';
    } finally {
      this.#button.disabled = false;
    }
  }
}
