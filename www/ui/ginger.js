// A Ginger plugin page loaded with a classic <script> tag: it uses the global WokPush from
// /pkg/wok-push.js and shares the page's one socket with the WoK shell.
(function () {
  'use strict';
  var rows = document.getElementById('user-rows');
  function refresh() {
    fetch('/plugins/ginger/users', { headers: { Accept: 'application/json' } })
      .then(function (r) { return r.json(); })
      .then(function (users) {
        rows.replaceChildren.apply(rows, users.map(function (u) {
          var li = document.createElement('li'); li.textContent = u.name; return li;
        }));
        document.getElementById('user-refreshed').textContent = 'refreshed ' + new Date().toLocaleTimeString();
      });
  }
  var sub = null;
  function onTab() {
    var here = location.hash === '#ginger/users';
    if (here && !sub) {
      // Usable at once: queued until the wasm is ready.
      sub = WokPush.connect().subscribe('*:/ginger/*', refresh, { tab: 'ginger-users', resync: true });
      refresh();
    } else if (!here && sub) {
      sub.unsubscribe();
      sub = null;
    }
  }
  window.addEventListener('hashchange', onTab);
  onTab();
})();
