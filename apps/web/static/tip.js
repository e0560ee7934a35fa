// The tip page's keys. Everything works without this file (plain forms);
// it only adds: focus on the tip, `s` = skip, `u` = undo, `?` = help,
// Escape closes the help, and a second submit of a form is ignored (the
// server would treat it as the same event anyway: each form carries its
// own idempotency key).
(function () {
  'use strict';
  var tip = document.getElementById('tip');
  var help = document.getElementById('help');

  if (tip && document.activeElement !== tip) tip.focus();

  function submit(id) {
    var form = document.getElementById(id);
    if (!form) return false;
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
    return true;
  }

  // The undo bar is gone (by CSS) once its time is up: `u` then does nothing.
  function undoVisible() {
    var bar = document.getElementById('undo');
    if (!bar) return false;
    var until = Date.parse(bar.getAttribute('data-undo-until') || '');
    return !(until && Date.now() > until + 500);
  }

  function toggleHelp(show) {
    if (!help) return;
    help.hidden = show === undefined ? !help.hidden : !show;
  }

  var sent = false;
  document.addEventListener('submit', function (e) {
    if (sent) e.preventDefault();
    sent = true;
  });

  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    var typing = t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA');
    if (e.key === 'Escape' && help && !help.hidden) {
      toggleHelp(false);
      if (tip) tip.focus();
      return;
    }
    if (typing) return;
    if (e.key === 's' || e.key === 'S') {
      if (submit('skip-form')) e.preventDefault();
    } else if (e.key === 'u' || e.key === 'U') {
      if (undoVisible() && submit('undo-form')) e.preventDefault();
    } else if (e.key === '?') {
      toggleHelp();
      e.preventDefault();
    }
  });
})();
