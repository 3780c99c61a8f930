// A form with a 決済方法 area: 「確認画面に進む」 runs the 与信 on the card token; approved → the confirmation
// (brand + last 3 digits); a failed 与信 keeps the user on the form with the store's message. 確定する ends on a
// completion panel with the ways on: a new order, or the list.
import { brandLabel, yen } from './brands.js';
import { PaymentArea } from './payment-area.js';
import { storeApi } from './store-api.js';

function fieldValue(element) {
  if (element instanceof HTMLSelectElement) return element.selectedOptions[0]?.textContent ?? '';
  if (element.name === 'amount') return yen(element.value);
  return element.value;
}

function amountOf(form) {
  const input = form.querySelector('[name="amount"]');
  return Number(input ? input.value : form.dataset.amount ?? '1');
}

function row(grid, label, value, testid) {
  const name = document.createElement('div');
  name.className = 'label';
  name.textContent = label;
  const cell = document.createElement('div');
  cell.className = 'value';
  cell.textContent = value;
  if (testid) cell.dataset.testid = testid;
  grid.append(name, cell);
}

export function setUpStoreForm(form, settings) {
  const payment = new PaymentArea(form.querySelector('[data-payment-area]'), settings);
  const confirmButton = form.querySelector('[data-testid="confirm-button"]');
  const confirmation = document.createElement('section');
  confirmation.className = 'panel';
  confirmation.dataset.testid = 'confirmation';
  confirmation.hidden = true;
  form.after(confirmation);

  const showConfirmation = (authorization) => {
    confirmation.innerHTML = `<h2>確認画面 — ${form.dataset.title ?? ''}</h2><div class="body"><p>以下の内容でよろしければ「確定する」をクリックしてください。</p><div class="grid"></div>
      <div class="actions"><button type="button" data-testid="back-button">戻る</button><button type="button" class="primary" data-testid="commit-button">確定する</button></div>
      <div class="alert alert-success" role="status" data-testid="committed" hidden>登録が完了しました。
        <div class="next-steps"><a class="button primary" href="/order-new.html" data-testid="next-new-order">新しい注文を登録する</a><a class="button" data-testid="next-list"></a></div></div></div>`;
    const list = confirmation.querySelector('[data-testid="next-list"]');
    list.href = form.dataset.listHref ?? '/orders.html';
    list.textContent = form.dataset.listLabel ?? '注文一覧へ';
    const grid = confirmation.querySelector('.grid');
    for (const element of form.querySelectorAll('[data-label]')) row(grid, element.dataset.label, fieldValue(element));
    row(grid, '決済方法', payment.methodLabel);
    if (authorization !== null) {
      row(grid, 'カードブランド', brandLabel(authorization.brand), 'confirm-brand');
      row(grid, 'カード番号 (下3桁)', authorization.last3, 'confirm-last3');
      row(grid, '与信', `承認済み (${yen(authorization.amount)}, 承認番号 ${authorization.authorizationId})`);
    }
    // The confirmation is a screen of its own: everything else on the page steps aside until 戻る.
    const others = [...form.parentElement.children].filter((el) => el !== confirmation && !el.hidden && !el.matches('h1, .breadcrumb'));
    confirmation.querySelector('[data-testid="back-button"]').addEventListener('click', () => {
      confirmation.hidden = true;
      for (const el of others) el.hidden = false;
    });
    confirmation.querySelector('[data-testid="commit-button"]').addEventListener('click', (event) => {
      event.target.disabled = true;
      confirmation.querySelector('[data-testid="back-button"]').disabled = true;
      const committed = confirmation.querySelector('[data-testid="committed"]');
      committed.hidden = false;
      committed.querySelector('[data-testid="next-new-order"]').focus();
    });
    for (const el of others) el.hidden = true;
    confirmation.hidden = false;
    window.scrollTo(0, 0);
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    payment.showError(null);
    if (payment.method !== 'credit') return showConfirmation(null);
    if (payment.card === null) return payment.showNotice('NO_CARD', '「テンキーで入力」からクレジットカード情報を入力してください。');
    confirmButton.disabled = true;
    try {
      const answer = await storeApi.authorize(payment.card.token, amountOf(form));
      if (answer.ok) return showConfirmation(answer.body);
      payment.clearCard(); // the token is spent: the next try needs the card again
      payment.showError(answer.code);
    } finally {
      confirmButton.disabled = false;
    }
  });
}
