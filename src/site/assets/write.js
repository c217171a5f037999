// The review form's enhancements: suggestions for the work box, a button that marks the
// selected text as a spoiler, and a live preview of the body. The form works without them.
(() => {
  'use strict';
  const form = document.querySelector('form.review-form');
  if (!form) return;
  const csrf = form.querySelector('input[name="_csrf"]')?.value ?? '';
  const debounce = (fn, ms) => {
    let timer;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  };

  // Search-as-you-type for the work: the datalist offers works whose title matches; picking
  // one puts its address in the box.
  const work = form.querySelector('#f-work');
  const suggestions = document.getElementById('work-suggestions');
  if (work && suggestions) {
    let asked = '';
    work.addEventListener(
      'input',
      debounce(async () => {
        const q = work.value.trim();
        if (q.length < 2 || q === asked) return;
        asked = q;
        try {
          const response = await fetch(`/api/v1/works?limit=8&q=${encodeURIComponent(q)}`, { headers: { accept: 'application/json' } });
          if (!response.ok || work.value.trim() !== q) return;
          const { items } = await response.json();
          suggestions.replaceChildren(
            ...items.map((w) => {
              const option = document.createElement('option');
              option.value = w.slug;
              option.label = w.year ? `${w.title} (${w.year})` : w.title;
              return option;
            }),
          );
        } catch {
          // No suggestions: the box still takes a title or an address.
        }
      }, 200),
    );
  }

  // "Mark as spoiler": ||inline|| for a phrase, a ::: spoiler block for whole paragraphs.
  const body = form.querySelector('#f-body');
  const toolbar = form.querySelector('.editor-toolbar');
  if (body && toolbar) {
    toolbar.hidden = false;
    toolbar.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-wrap="spoiler"]');
      if (!button) return;
      const { selectionStart: start, selectionEnd: end, value } = body;
      const selected = value.slice(start, end) || 'the spoiler';
      const block = selected.includes('\n');
      const before = block ? `${start > 0 && value[start - 1] !== '\n' ? '\n\n' : ''}::: spoiler\n` : '||';
      const after = block ? '\n:::\n' : '||';
      body.setRangeText(`${before}${selected}${after}`, start, end, 'end');
      body.setSelectionRange(start + before.length, start + before.length + selected.length);
      body.focus();
      body.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }

  // Live preview: the server renders the body exactly as the review page will.
  const live = form.querySelector('.live-preview');
  const target = live?.querySelector('.prose');
  if (body && live && target) {
    live.hidden = false;
    const render = debounce(async () => {
      try {
        const response = await fetch('/write/preview-body', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: csrf, body: body.value }),
        });
        if (response.ok) target.innerHTML = await response.text();
      } catch {
        // The Preview button still shows the whole review.
      }
    }, 400);
    body.addEventListener('input', render);
    if (body.value) render();
  }
})();
