// Runs in the page before its own scripts (page.addInitScript): records when each ● count is drawn, and can open
// the reference popup on a bare event stream (the bench's floor). Plain JS: it is browser code, as demo-store/public/js is.
(() => {
  /** Epoch ms on the page's clock: Node's performance.timeOrigin + performance.now() is the same wall clock. */
  const now = () => performance.timeOrigin + performance.now();
  /** { field, digits, mutatedAt, drawnAt } per data-digits change, in order: the store's popup's and the floor popup's. */
  const draws = { entry: [], floor: [] };
  let floor = null;

  // The popup sets a field's ● text and its data-digits together in one task. The frame that shows them runs its
  // rAF callbacks, then style, layout and paint; a message posted from rAF runs after that frame, so drawnAt is
  // when the ● has been painted (handed to the compositor), not just queued.
  const observer = new MutationObserver((mutations) => {
    const mutatedAt = now();
    const changed = [];
    for (const mutation of mutations) {
      const field = mutation.target.closest('[data-field]')?.dataset.field;
      const list = mutation.target.closest('[data-bench-floor]') ? draws.floor : draws.entry;
      if (field === 'PAN' || field === 'EXPIRY') changed.push({ list, draw: { field, digits: Number(mutation.target.dataset.digits) } });
    }
    if (changed.length === 0) return;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const drawnAt = now();
        for (const { list, draw } of changed) list.push({ ...draw, mutatedAt, drawnAt });
        channel.port1.close();
      };
      channel.port2.postMessage(null);
    });
  });
  observer.observe(document, { subtree: true, attributes: true, attributeFilter: ['data-digits'] });

  window.__tenkeyLatencyProbe = {
    now,
    /** Every draw recorded so far, once the frame in flight is done: { entry, floor }; the lists start empty again. */
    async takeDraws() {
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return { entry: draws.entry.splice(0), floor: draws.floor.splice(0) };
    },
    /**
     * A second instance of the store's card-entry popup (marked data-bench-floor, over the entry's own), fed by
     * the bridge's bare event stream (GET /bench/events) instead of an entry.
     */
    async openFloor(bridgeUrl) {
      const { CardEntryPopup } = await import('/js/card-entry-popup.js');
      const popup = new CardEntryPopup({ onCancel() {} });
      popup.open();
      const backdrop = document.body.lastElementChild; // open() appended it
      backdrop.dataset.benchFloor = 'true';
      backdrop.style.alignItems = 'flex-start'; // at the top, so the entry's own ● stay in view below it
      const source = new EventSource(`${bridgeUrl}/bench/events`);
      source.addEventListener('progress', (event) => popup.progress(JSON.parse(event.data)));
      await new Promise((resolve, reject) => {
        source.onopen = resolve;
        source.onerror = () => reject(new Error('the bridge refused GET /bench/events'));
      });
      floor = { popup, source };
    },
    closeFloor() {
      floor?.source.close();
      floor?.popup.close();
      floor = null;
    },
  };
})();
