// 設定 > 重要項目設定: 利用サービス, テンキーパッド入力 ON/OFF, プライベートIP and ポート番号 of the bridge.
import { renderLayout } from './layout.js';
import { storeApi } from './store-api.js';

const form = document.querySelector('[data-settings-form]');
const saved = document.querySelector('[data-testid="settings-saved"]');
const failed = document.querySelector('[data-testid="settings-error"]');
const [settingsAnswer, servicesAnswer] = await Promise.all([storeApi.settings(), storeApi.cardServices()]);
renderLayout(settingsAnswer.ok ? settingsAnswer.body : null);

const select = form.elements.namedItem('service');
for (const service of servicesAnswer.ok ? servicesAnswer.body : []) select.add(new Option(service.nameJa, service.id));
const switchLabel = document.querySelector('[data-testid="keypad-input-state"]');
const show = (settings) => {
  select.value = settings.service;
  form.elements.namedItem('keypadInput').checked = settings.keypadInput;
  switchLabel.textContent = settings.keypadInput ? 'ON' : 'OFF';
  form.elements.namedItem('bridgeHost').value = settings.bridgeHost;
  form.elements.namedItem('bridgePort').value = String(settings.bridgePort);
  form.elements.namedItem('entryTimeoutSeconds').value = String(settings.entryTimeoutSeconds);
};
if (settingsAnswer.ok) show(settingsAnswer.body);
form.elements.namedItem('keypadInput').addEventListener('change', (event) => {
  switchLabel.textContent = event.target.checked ? 'ON' : 'OFF';
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  saved.hidden = true;
  failed.hidden = true;
  // 利用サービス is 必須: the placeholder (or a value the list lost) is refused before anything is sent.
  if (!select.checkValidity()) {
    failed.textContent = '利用サービスを選択してください。';
    failed.hidden = false;
    select.focus();
    return;
  }
  const answer = await storeApi.saveSettings({
    service: select.value,
    keypadInput: form.elements.namedItem('keypadInput').checked,
    bridgeHost: form.elements.namedItem('bridgeHost').value.trim(),
    bridgePort: Number(form.elements.namedItem('bridgePort').value),
    entryTimeoutSeconds: Number(form.elements.namedItem('entryTimeoutSeconds').value),
  });
  if (answer.ok) {
    show(answer.body);
    saved.hidden = false;
  } else {
    failed.textContent = `設定を保存できませんでした: ${answer.detail ?? answer.cause}`;
    failed.hidden = false;
  }
});
document.body.dataset.ready = 'true';
