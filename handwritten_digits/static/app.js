// The app page's script (handwritten_digits.ui puts it on the page with the widget): the keyboard escapes the pad,
// screen readers hear the status line, the upload says what it is receiving, the newest answer is scrolled into
// view, and a number card's button copies the number.
document.addEventListener('keydown', event => {
  if (event.key === 'Tab' && event.target instanceof Element && event.target.closest('.hd-pad')) event.stopPropagation();
}, true);
(() => {
  const say = text => { for (const el of document.querySelectorAll('.hd-live .widget-html-content, .hd-progress .widget-html-content'))
                          el.textContent = text; };
  const BUSY_LIMIT_MS = 120000;   // a status stuck on "Receiving" (a file the browser could not read) stops blocking
  const status = () => document.querySelector('.hd-live .widget-html-content');
  let changed = 0, last = '';
  const busy = () => status() && /^(Receiving|Reading|Still reading)/.test(status().textContent.trim())
                     && Date.now() - changed < BUSY_LIMIT_MS;
  function receiving(files) {
    if (!files || !files.length) return;
    const megabytes = [...files].reduce((sum, file) => sum + file.size, 0) / 2 ** 20;
    const what = files.length === 1 ? 'your photo' : `your ${files.length} photos`;
    say(`Receiving ${what}${megabytes >= 0.1 ? ` (${megabytes.toFixed(1)} MB)` : ''}…`);
  }
  // ipywidgets opens its file input, which is not in the page, with click(): watch it there. While files are on
  // their way or being read, a second pick is refused with a word: ipywidgets would keep only the last of several
  const click = HTMLInputElement.prototype.click;
  HTMLInputElement.prototype.click = function (...args) {
    if (this.type === 'file') {
      if (busy()) return say('Still reading your photos: choose more once these are done.');
      if (!this.hdWatched) { this.hdWatched = true; this.addEventListener('change', () => receiving(this.files)); }
    }
    return click.apply(this, args);
  };
  const inView = el => { const r = el.getBoundingClientRect();
                         return r.top >= 0 && r.bottom <= (window.innerHeight || document.documentElement.clientHeight); };
  function showNewest() {
    for (const card of document.querySelectorAll('.hd-results .hd-card:not([data-hd-seen]), .hd-pad-answer .hd-card:not([data-hd-seen])')) {
      card.dataset.hdSeen = '';
      const first = card.closest('.hd-pad-answer') || card === document.querySelector('.hd-results .hd-card');
      if (first && !inView(card)) card.scrollIntoView({block: card.closest('.hd-pad-answer') ? 'nearest' : 'start'});
    }
  }
  async function copy(button) {
    const text = button.dataset.copy, label = button.textContent;
    let copied = false;
    try { await navigator.clipboard.writeText(text); copied = true; } catch (error) {
      const area = Object.assign(document.createElement('textarea'), {value: text});
      document.body.append(area); area.select();
      try { copied = document.execCommand('copy'); } catch (error) {}
      area.remove();
    }
    if (!copied) { const number = button.closest('.hd-card').querySelector('.hd-number');
                   getSelection().selectAllChildren(number); }
    button.textContent = copied ? 'Copied' : 'Selected: press Ctrl+C (or hold) to copy';
    setTimeout(() => { button.textContent = label; }, 3000);
  }
  document.addEventListener('click', event => {
    const button = event.target instanceof Element && event.target.closest('.hd-copy');
    if (button) copy(button);
  });
  new MutationObserver(() => {
    for (const live of document.querySelectorAll('.hd-live:not([role])')) {
      live.setAttribute('role', 'status'); live.setAttribute('aria-live', 'polite'); }
    for (const pad of document.querySelectorAll('.hd-pad canvas:not([role])')) {
      pad.setAttribute('role', 'img'); pad.setAttribute('aria-label', 'Drawing pad: write one digit with a mouse, pen or finger'); }
    for (const upload of document.querySelectorAll('.hd-upload:not([aria-label])')) upload.setAttribute('aria-label', 'Upload images');
    const text = status() ? status().textContent : '';
    if (text !== last) { last = text; changed = Date.now(); }
    showNewest();
  }).observe(document.body, {childList: true, subtree: true});
})();
