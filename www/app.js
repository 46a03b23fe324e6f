// The WoK shell of the demo. Everything reaches the tabs through wok-push; no innerHTML.
import init, { connect, installWokCompat } from '/pkg/wok_push.js';

const $ = (id) => document.getElementById(id);
const api = (method, path, body) => fetch(path, {
  method, headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: body && JSON.stringify(body),
});
const control = (what, body = {}) => fetch(`/_control/${what}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
const getJson = async (path) => (await api('GET', path)).json();
const li = (text) => { const el = document.createElement('li'); el.textContent = text; return el; };
const stamp = (id) => { $(id).textContent = `refreshed ${new Date().toLocaleTimeString()}`; };

function log(text, cls = '') {
  const item = li(`${new Date().toLocaleTimeString()}  ${text}`);
  if (cls) item.className = cls;
  $('log').prepend(item);
  while ($('log').children.length > 150) $('log').lastChild.remove();
}

await init();
const push = connect();
window.push = push;

// ---- Header badge: state, transport, time in state, reconnect countdown ----
let since = Date.now();
let retryAt = null;
function badge() {
  const secs = Math.round((Date.now() - since) / 1000);
  let text = push.transport && push.transport !== push.state ? `${push.state} · ${push.transport}` : push.state;
  if (retryAt && (push.state === 'backoff' || push.state === 'polling')) {
    const left = Math.max(0, (retryAt - Date.now()) / 1000);
    text += push.state === 'polling' ? ` · probe in ${left.toFixed(1)} s` : ` · retry in ${left.toFixed(1)} s`;
  }
  const role = push.stats().role;
  if (role !== 'alone') text += ` · ${role}`;
  $('badge').textContent = text;
  $('badge').title = role === 'follower' ? 'another tab holds the push connection; this one mirrors it'
    : role === 'leader' ? 'this tab holds the push connection for every tab of this WoK' : 'this tab has its own connection';
  $('badge').dataset.state = push.state;
  $('since').textContent = `for ${secs} s`;
}
push.on('state', (e) => {
  since = Date.now();
  retryAt = e.retryIn !== undefined ? Date.now() + e.retryIn : null;
  badge();
  log(`state ${e.previous} → ${e.state} (${e.reason}, ${e.reasonCode})${e.retryIn !== undefined ? `, next attempt in ${e.retryIn} ms` : ''}`, 'state');
});
push.on('error', (e) => log(`error ${e.code}: ${e.message}`, 'error'));
push.on('resync', () => log('resync: tabs refresh after a gap', 'resync'));
// ---- What it saves, against the stock UI polling GET /notifications every 3 s ----
// Bytes per request: measured on this page's own /notifications requests (response headers
// and body, from the Resource Timing API), request headers estimated at ~400 B.
const STOCK_INTERVAL_MS = 3000;
const REQUEST_HEADER_BYTES = 400;
const loadedAt = performance.now();
function savings() {
  const feeds = performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === '/notifications');
  const sizes = feeds.map((e) => e.transferSize || e.encodedBodySize).filter((n) => n > 0);
  const perRequest = (sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : 250) + REQUEST_HEADER_BYTES;
  const stock = Math.floor((performance.now() - loadedAt) / STOCK_INTERVAL_MS) + 1;
  const ours = push.stats().fetches; // this tab's own (a follower tab sends none)
  const avoided = Math.max(0, stock - ours);
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  $('savings').textContent = `In ${Math.round((performance.now() - loadedAt) / 1000)} s, the stock UI would have sent ${stock} `
    + `GET /notifications (every 3 s, ≈ ${kb(stock * perRequest)}); wok-push sent ${ours}. `
    + `Avoided: ${avoided} requests, ≈ ${kb(avoided * perRequest)}, and each push arrived at once instead of up to 3 s late.`;
  $('savings').dataset.avoided = String(avoided);
}
setInterval(() => { badge(); savings(); $('stats').textContent = JSON.stringify(push.stats(), null, 1); }, 250);
badge();
push.subscribe('*', (m) => log(`${m.source}: ${m.code}`), { persist: true });

// ---- Tabs switched by location.hash, like WoK ----
const tabs = {
  'kimchi/guests': () => {
    const refresh = async () => { $('guest-rows').replaceChildren(...(await getJson('/plugins/kimchi/vms')).map((v) => li(v.name))); stamp('guest-refreshed'); };
    push.subscribe('METHOD:/kimchi/vms', refresh, { tab: 'kimchi-guests', resync: true });
    push.subscribe('POST:/kimchi/vms', refresh, { tab: 'kimchi-guests' });
    push.subscribe('DELETE:/kimchi/vm', refresh, { tab: 'kimchi-guests' });
    refresh();
  },
  'kimchi/templates': () => {
    // Written the old WoK way (kimchi.template_main.js), through installWokCompat.
    const doListTemplates = async () => { $('template-rows').replaceChildren(...(await getJson('/plugins/kimchi/templates')).map((t) => li(t.name))); stamp('template-refreshed'); };
    wok.addNotificationListener('POST:/kimchi/templates', doListTemplates);
    wok.addNotificationListener('DELETE:/kimchi/template', doListTemplates);
    wok.addNotificationListener('PUT:/kimchi/template', doListTemplates);
    doListTemplates();
  },
  'ginger/users': () => {}, // /plugins/ginger.js, a classic script
  'wok/logs': () => {
    // Every REST call pushes POST:/wok/logs: a burst of them refreshes the log once per
    // 250 ms window (the first at once), not once per call.
    let reads = 0, messages = 0;
    const refresh = async (m) => {
      reads++;
      messages += m ? m.coalesced : 0;
      $('log-reads').textContent = `${reads} reads of GET /logs for ${messages} POST:/wok/logs messages (coalesceMs: 250)`;
      $('log-rows').replaceChildren(...(await getJson('/logs')).map((l) => li(`${l.time.slice(11, 19)}  ${l.action}`)));
    };
    push.subscribe('POST:/wok/logs', refresh, { tab: 'wok-logs', resync: true, coalesceMs: 250 });
    refresh();
  },
};
function showTab() {
  const name = tabs[location.hash.slice(1)] ? location.hash.slice(1) : 'kimchi/guests';
  for (const el of document.querySelectorAll('.tab')) el.classList.toggle('active', el.id === name);
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.getAttribute('href') === `#${name}`);
  tabs[name]();
}
// wok-push's own hashchange listener drops the previous tab's tab-scoped subscriptions first.
window.addEventListener('hashchange', showTab);

// ---- The WoK object and its notification API, as in wok.main.js ----
window.wok = { notificationListeners: {} };
installWokCompat(wok);
const alerts = new Map();
async function notificationsLoop() {
  for (const n of await getJson('/notifications')) {
    if (alerts.has(n.code)) continue;
    const el = document.createElement('div');
    el.className = 'alert';
    const text = document.createElement('span');
    text.textContent = n.message;
    const close = document.createElement('button');
    close.textContent = '×';
    close.title = `DELETE /notifications/${n.code}`;
    close.onclick = () => { api('DELETE', `/notifications/${encodeURIComponent(n.code)}`); el.remove(); alerts.delete(n.code); };
    el.append(text, close);
    alerts.set(n.code, el);
    $('alert-container').append(el);
  }
}
// wok-push delivers notifications by code (source 'poll'): show them as WoK's alerts do.
push.subscribe('*', (m) => { if (m.source === 'poll' && m.message) notificationsLoop(); }, { persist: true });
wok.addNotificationListener('DELETE:/wok/notification', () => {
  getJson('/notifications').then((list) => {
    const live = new Set(list.map((n) => n.code));
    for (const [code, el] of alerts) if (!live.has(code)) { el.remove(); alerts.delete(code); }
  });
}, true);
wok.startNotificationWebSocket();
showTab();

// ---- Backend console ----
let base64 = false;
let expired = false;
const last = async (path) => (await getJson(path)).at(-1)?.name;
const actions = {
  'create-guest': () => api('POST', '/plugins/kimchi/vms', {}),
  'delete-guest': async () => { const n = await last('/plugins/kimchi/vms'); if (n) api('DELETE', `/plugins/kimchi/vms/${n}`); },
  'guest-event': () => control('push', { messages: ['METHOD:/kimchi/vms'] }),
  'create-template': () => api('POST', '/plugins/kimchi/templates', {}),
  'update-template': async () => { const n = await last('/plugins/kimchi/templates'); if (n) api('PUT', `/plugins/kimchi/templates/${n}`, {}); },
  'delete-template': async () => { const n = await last('/plugins/kimchi/templates'); if (n) api('DELETE', `/plugins/kimchi/templates/${n}`); },
  'create-user': () => api('POST', '/plugins/ginger/users', {}),
  raise: () => control('notify', { code: 'KCHCONN0002E', message: 'Libvirt service is not active. Please start the libvirt service in your host system.' }),
  clear: () => control('unnotify', { code: 'KCHCONN0002E' }),
  drop: () => control('drop'),
  refuse: () => control('upgrades', { accept: false }).then(() => control('drop')),
  accept: () => control('upgrades', { accept: true }),
  base64: () => { base64 = !base64; $('base64-state').textContent = base64 ? 'on' : 'off'; return control('mode', { base64 }).then(() => control('drop')); },
  expire: () => { expired = !expired; $('expire-state').textContent = expired ? 'on' : 'off'; if (!expired) push.reconnect(); return control('mode', { feed: expired ? '401' : 'ok' }); },
};
for (const b of document.querySelectorAll('[data-act]')) b.addEventListener('click', () => actions[b.dataset.act]());
