// The card-entry popup: grey backdrop (a click on it does NOT close the popup, as the store manual says), live
// ●●●● progress from the keypad's counts, the seconds left counting down, and a キャンセル button. The caller
// closes it when the entry ends.
import { EntryCountdown } from './entry-countdown.js';

/** Seconds left at which a screen reader hears the countdown (the ticking figure itself is not in a live region). */
const ANNOUNCED_SECONDS = [30, 10];

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
  #statusLine;
  #status;
  #countdown;
  #announcement;
  #cancel;
  #ticker;
  /** The figure shown, to tell when it crosses one of ANNOUNCED_SECONDS. */
  #shownSeconds = null;

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
          <p class="status"><span role="status" data-testid="entry-status">テンキーに接続しています…</span> <span class="countdown" data-testid="entry-countdown" hidden></span></p>
          <p class="visually-hidden" aria-live="polite" data-testid="entry-countdown-announcement"></p>
        </div>
        <div class="buttons"><button type="button" data-testid="card-entry-cancel">キャンセル</button></div>
      </div>`;
    this.#modal = this.#backdrop.querySelector('.modal');
    this.#pan = this.#backdrop.querySelector('[data-testid="pan-dots"]');
    this.#expiry = this.#backdrop.querySelector('[data-testid="expiry-dots"]');
    this.#statusLine = this.#backdrop.querySelector('.status');
    this.#status = this.#backdrop.querySelector('[data-testid="entry-status"]');
    this.#countdown = this.#backdrop.querySelector('[data-testid="entry-countdown"]');
    this.#announcement = this.#backdrop.querySelector('[data-testid="entry-countdown-announcement"]');
    this.#ticker = new EntryCountdown((seconds) => this.#showSeconds(seconds));
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
    this.#stopCountdown();
    this.#backdrop.remove();
  }

  /** One EntryProgress from the bridge: counts only, never digits. */
  progress(p) {
    const field = p.field === 'EXPIRY' || p.state === 'EXPIRY' ? 'EXPIRY' : p.field === 'PAN' || p.state === 'PAN' ? 'PAN' : null;
    if (field === 'PAN') this.#show(this.#pan, p.digits, 4, ' ');
    if (field === 'EXPIRY') this.#show(this.#expiry, p.digits, 2, '/');
    for (const row of this.#backdrop.querySelectorAll('.entry-field')) row.classList.toggle('active', row.dataset.field === field);
    const waiting = p.state === 'PAN' || p.state === 'EXPIRY';
    // Every progress re-bases the countdown on the keypad's figure (reset by each key); it ticks on by itself.
    if (waiting && Number.isInteger(p.secondsLeft) && p.secondsLeft >= 0) this.#ticker.rebase(p.secondsLeft);
    else this.#stopCountdown();
    const notices = {
      INVALID_PAN: 'カード番号が正しくありません。もう一度ご入力ください。',
      INVALID_EXPIRY: '有効期限が正しくありません。月2桁・年2桁でご入力ください。',
      PAN_TOO_SHORT: 'カード番号の桁数が足りません。',
      PAN_TOO_LONG: 'カード番号の桁数が多すぎます。',
    };
    if (p.notice && p.notice !== 'NONE' && notices[p.notice]) this.#setStatus(notices[p.notice], true);
    else if (p.state === 'PAN') this.#setStatus('テンキーでカード番号を入力し、Enter を押してください');
    else if (p.state === 'EXPIRY') this.#setStatus('テンキーで有効期限 (月2桁・年2桁) を入力し、Enter を押してください');
    else if (p.state === 'PROCESSING') this.#setStatus('カード情報を暗号化しています…');
  }

  #show(element, count, groupOf, separator) {
    element.textContent = dots(count, groupOf, separator);
    element.dataset.digits = String(count);
  }

  /** The status is a live region: rewritten only when its words change, so a key press does not re-announce it. */
  #setStatus(text, warn = false) {
    if (this.#status.textContent !== text) this.#status.textContent = text;
    this.#statusLine.classList.toggle('warn', warn);
  }

  #showSeconds(seconds) {
    this.#countdown.textContent = `(残り ${seconds} 秒)`;
    this.#countdown.dataset.seconds = String(seconds);
    this.#countdown.hidden = false;
    const crossed = ANNOUNCED_SECONDS.some((mark) => this.#shownSeconds !== null && this.#shownSeconds > mark && seconds <= mark);
    if (crossed) this.#announcement.textContent = `残り ${seconds} 秒`;
    else if (this.#shownSeconds !== null && seconds > this.#shownSeconds) this.#announcement.textContent = ''; // a key restarted it: the next crossing is news again
    this.#shownSeconds = seconds;
  }

  #stopCountdown() {
    this.#ticker.stop();
    this.#countdown.hidden = true;
    this.#shownSeconds = null;
  }
}
