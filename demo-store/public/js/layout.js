// The admin frame every page shares: top bar and the left menu (設定 > 重要項目設定 and the four screens).
const MENU = [
  ['顧客管理', [['customers', '/customers.html', '顧客一覧(検索)']]],
  ['受注管理', [['order-new', '/order-new.html', '注文登録'], ['orders', '/orders.html', '注文一覧(検索)']]],
  ['定期管理', [['subscriptions', '/subscriptions.html', '定期注文マスター']]],
  ['設定', [['settings', '/settings.html', '重要項目設定']]],
];

export function renderLayout(settings) {
  const page = document.body.dataset.page;
  const main = document.querySelector('main');
  const top = document.createElement('header');
  top.className = 'topbar';
  top.innerHTML = '<span class="logo">tenkey デモストア<small>管理画面 (リファレンス実装・テスト用)</small></span><span class="keypad-status" data-testid="keypad-status"></span>';
  const status = top.querySelector('.keypad-status');
  if (settings) {
    status.innerHTML = `テンキーパッド入力: <b></b>　接続先: <b></b>`;
    const [state, address] = status.querySelectorAll('b');
    state.textContent = settings.keypadInput ? 'ON' : 'OFF';
    address.textContent = `${settings.bridgeHost}:${settings.bridgePort}`;
  }
  const layout = document.createElement('div');
  layout.className = 'layout';
  const nav = document.createElement('nav');
  nav.className = 'sidemenu';
  nav.setAttribute('aria-label', 'メニュー');
  for (const [group, items] of MENU) {
    const heading = document.createElement('h3');
    heading.textContent = group;
    nav.append(heading);
    for (const [id, href, label] of items) {
      const link = document.createElement('a');
      link.href = href;
      link.textContent = label;
      if (id === page) link.setAttribute('aria-current', 'page');
      nav.append(link);
    }
  }
  document.body.prepend(top, layout);
  layout.append(nav, main);
}
