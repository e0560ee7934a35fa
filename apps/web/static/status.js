// The status page keeps itself fresh: it reloads every few seconds (the
// period is the page's `data-refresh-secs`), and the "Pause updates" button
// stops that until pressed again (kept for the tab in sessionStorage, since
// each update is a reload). Without this file the page is reloaded by hand.
(function () {
  'use strict';
  var box = document.getElementById('refresh');
  var button = document.getElementById('refresh-toggle');
  if (!box || !button) return;
  var secs = parseInt(box.getAttribute('data-refresh-secs') || '5', 10) || 5;
  var KEY = 'onetip-status-paused';
  var paused = false;
  try { paused = sessionStorage.getItem(KEY) === '1'; } catch (e) { /* storage off */ }
  var timer = null;

  function show() {
    button.textContent = paused ? 'Resume updates' : 'Pause updates';
    button.setAttribute('aria-pressed', paused ? 'true' : 'false');
  }
  function schedule() {
    if (timer) clearTimeout(timer);
    timer = paused ? null : setTimeout(function () { location.reload(); }, secs * 1000);
  }
  button.addEventListener('click', function () {
    paused = !paused;
    try { sessionStorage.setItem(KEY, paused ? '1' : '0'); } catch (e) { /* storage off */ }
    show();
    schedule();
  });
  box.hidden = false;
  show();
  schedule();
})();
