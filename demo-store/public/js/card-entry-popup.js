// The card-entry popup: grey backdrop (a click on it does NOT close the popup, as the store manual says), live
// ●●●● progress from the keypad's counts, and a キャンセル button. The caller closes it when the entry ends.

function dots(count, groupOf, separator) {
  let text = '';
  for (let i = 0; i < count; i++) text += (i > 0 && i % groupOf === 0 ? separator : '') + '●';
  return text;
}

export class CardEntryPopup {
  #backdrop;
  #modal;
  #pan;
  #expiry;
  #status;
  #cancel;

  /** @param {{ onCancel: () => void }} options */
  constructor({ onCancel }) {
    this.#backdrop = document.createElement('div');
    this.#backdrop.className = 'modal-backdrop';
    this.#backdrop.dataset.testid = 'card-entry-backdrop';
    this.#backdrop.innerHTML = `
      <div class="modal" role="dialog" aria-modal="true" aria-labelledby="card-entry-title" data-testid="card-entry-popup">
        <h2 id="card-entry-title">クレジットカード情報の入力</h2>
        <div class="content">
          <p class="lead">テンキーよりクレジットカード番号と有効期限をご入力ください。<br>カード番号はこの画面には表示されません。</p>
          <div class="entry-field" data-field="PAN"><span class="name">カード番号</span><span class="dots" data-testid="pan-dots" data-digits="0"></span></div>
          <div class="entry-field" data-field="EXPIRY"><span class="name">有効期限</span><span class="dots" data-testid="expiry-dots" data-digits="0"></span></div>
          <p class="status" data-testid="entry-status">テンキーに接続しています…</p>
        </div>
        <div class="buttons"><button type="button" data-testid="card-entry-cancel">キャンセル</button></div>
      </div>`;
    this.#modal = this.#backdrop.querySelector('.modal');
    this.#pan = this.#backdrop.querySelector('[data-testid="pan-dots"]');
    this.#expiry = this.#backdrop.querySelector('[data-testid="expiry-dots"]');
    this.#status = this.#backdrop.querySelector('[data-testid="entry-status"]');
    this.#cancel = this.#backdrop.querySelector('[data-testid="card-entry-cancel"]');
    this.#cancel.addEventListener('click', () => {
      this.#cancel.disabled = true;
      this.#setStatus('キャンセルしています…');
      onCancel();
    });
    // Only the キャンセル button or the end of the entry closes the popup: a stray click must not lose an entry.
    this.#backdrop.addEventListener('click', (event) => {
      if (event.target !== this.#backdrop) return;
      this.#modal.classList.remove('nudge');
      void this.#modal.offsetWidth; // restart the animation
      this.#modal.classList.add('nudge');
    });
  }

  open() {
    document.body.append(this.#backdrop);
    this.#cancel.focus();
  }

  close() {
    this.#backdrop.remove();
  }

  /** One EntryProgress from the bridge: counts only, never digits. */
  progress(p) {
    const field = p.field === 'EXPIRY' || p.state === 'EXPIRY' ? 'EXPIRY' : p.field === 'PAN' || p.state === 'PAN' ? 'PAN' : null;
    if (field === 'PAN') this.#show(this.#pan, p.digits, 4, ' ');
    if (field === 'EXPIRY') this.#show(this.#expiry, p.digits, 2, '/');
    for (const row of this.#backdrop.querySelectorAll('.entry-field')) row.classList.toggle('active', row.dataset.field === field);
    const seconds = Number.isInteger(p.secondsLeft) ? `(残り ${p.secondsLeft} 秒)` : '';
    const notices = {
      INVALID_PAN: 'カード番号が正しくありません。もう一度ご入力ください。',
      INVALID_EXPIRY: '有効期限が正しくありません。月2桁・年2桁でご入力ください。',
      PAN_TOO_SHORT: 'カード番号の桁数が足りません。',
      PAN_TOO_LONG: 'カード番号の桁数が多すぎます。',
    };
    if (p.notice && p.notice !== 'NONE' && notices[p.notice]) this.#setStatus(notices[p.notice], true);
    else if (p.state === 'PAN') this.#setStatus(`テンキーでカード番号を入力し、Enter を押してください ${seconds}`);
    else if (p.state === 'EXPIRY') this.#setStatus(`テンキーで有効期限 (月2桁・年2桁) を入力し、Enter を押してください ${seconds}`);
    else if (p.state === 'PROCESSING') this.#setStatus('カード情報を暗号化しています…');
  }

  #show(element, count, groupOf, separator) {
    element.textContent = dots(count, groupOf, separator);
    element.dataset.digits = String(count);
  }

  #setStatus(text, warn = false) {
    // Most events change only the ●: rewriting the same line would lay its text out again before the ● can be painted.
    if (this.#status.textContent === text && this.#status.classList.contains('warn') === warn) return;
    this.#status.textContent = text;
    this.#status.classList.toggle('warn', warn);
  }
}
