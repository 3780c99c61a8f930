// Entry point of the four screens: frame, settings and messages from the store, search tables, and the forms.
import { renderLayout } from './layout.js';
import { storeApi } from './store-api.js';
import { loadStoreMessages } from './store-messages.js';
import { setUpStoreForm } from './store-form.js';

function setUpSearch(searchForm) {
  const table = document.querySelector('[data-search-table]');
  const count = document.querySelector('[data-search-count]');
  const filter = () => {
    const words = [...searchForm.querySelectorAll('input')].map((i) => i.value.trim()).filter((w) => w !== '');
    let shown = 0;
    for (const tr of table.tBodies[0].rows) {
      tr.hidden = !words.every((w) => tr.textContent.includes(w));
      if (!tr.hidden) shown += 1;
    }
    if (count) count.textContent = `${shown} 件`;
  };
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    filter();
  });
  filter();
}

// 「編集」 in a result row fills the form below with that record.
function setUpRowSelection(storeForm) {
  for (const button of document.querySelectorAll('[data-edit]')) {
    button.addEventListener('click', () => {
      const tr = button.closest('tr');
      for (const selected of document.querySelectorAll('tr.selected')) selected.classList.remove('selected');
      tr.classList.add('selected');
      const record = JSON.parse(tr.dataset.record ?? '{}');
      for (const [name, value] of Object.entries(record)) {
        const field = storeForm.querySelector(`[name="${name}"]`);
        if (field) field.value = value;
      }
      storeForm.scrollIntoView({ behavior: 'instant', block: 'start' });
    });
  }
}

const [settingsAnswer] = await Promise.all([storeApi.settings(), loadStoreMessages()]);
const settings = settingsAnswer.ok ? settingsAnswer.body : null;
renderLayout(settings);
const searchForm = document.querySelector('[data-search-form]');
if (searchForm) setUpSearch(searchForm);
for (const form of document.querySelectorAll('[data-store-form]')) {
  if (settings) setUpStoreForm(form, settings);
  setUpRowSelection(form);
}
document.body.dataset.ready = 'true';
