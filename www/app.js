// The demo page: everything goes through wok-push; no innerHTML with server data.
import init, { connect } from '/pkg/wok_push.js';

const $ = (id) => document.getElementById(id);
const control = (what, body = {}) => fetch(`/_control/${what}`, { method: 'POST', body: JSON.stringify(body) });
const api = (method, path, body) => fetch(path, { method, headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
  body: body && JSON.stringify(body) });

function log(text, cls = '') {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  if (cls) li.className = cls;
  $('log').prepend(li);
  while ($('log').children.length > 200) $('log').lastChild.remove();
}

await init();
const push = connect();
window.push = push;
let since = Date.now();
const badge = () => {
  $('badge').textContent = push.transport ? `${push.state} · ${push.transport}` : push.state;
  $('badge').dataset.state = push.state;
};
push.on('state', (e) => {
  since = Date.now();
  badge();
  log(`state ${e.previous} → ${e.state} (${e.reason}, ${e.reasonCode})${e.retryIn !== undefined ? ` retry in ${e.retryIn} ms` : ''}`, 'state');
});
push.on('error', (e) => log(`error ${e.code}: ${e.message}`, 'error'));
push.on('resync', () => log('resync: refreshing after a gap', 'resync'));
badge();
setInterval(() => {
  $('since').textContent = `for ${Math.round((Date.now() - since) / 1000)} s`;
  $('stats').textContent = JSON.stringify(push.stats(), null, 1);
}, 500);

// Every message, whatever its code.
push.subscribe('*', (m) => log(`${m.source}: ${m.code}${m.message ? ` — ${m.message}` : ''}`), { persist: true });

// The Guests list refreshes itself when told to, as kimchi's tab does.
async function refreshVms() {
  const vms = await (await api('GET', '/plugins/kimchi/vms')).json();
  $('vms').replaceChildren(...vms.map((v) => { const li = document.createElement('li'); li.textContent = v.name; return li; }));
}
push.subscribe('*:/kimchi/vms', refreshVms, { tab: 'guests', persist: true, resync: true });
refreshVms();

// WoK-style alerts, fed by GET /notifications (catch-up and on POST:/wok/notifications).
const alerts = new Map();
push.subscribe('*', (m) => {
  if (m.source !== 'poll' || !m.message || alerts.has(m.code)) return;
  const li = document.createElement('li');
  const text = document.createElement('span');
  text.textContent = m.message;
  const close = document.createElement('button');
  close.textContent = '×';
  close.title = `DELETE /notifications/${m.code}`;
  close.onclick = () => { api('DELETE', `/notifications/${encodeURIComponent(m.code)}`); li.remove(); alerts.delete(m.code); };
  li.append(text, close);
  alerts.set(m.code, li);
  $('alerts').append(li);
}, { persist: true });

$('create-vm').onclick = () => api('POST', '/plugins/kimchi/vms', {});
$('raise').onclick = () => control('notify', { code: 'KCHCONN0002E', message: 'Libvirt service is not active. Please start the libvirt service in your host system.' });
$('clear').onclick = () => { control('unnotify', { code: 'KCHCONN0002E' }); alerts.get('KCHCONN0002E')?.remove(); alerts.delete('KCHCONN0002E'); };
$('drop').onclick = () => control('drop');
$('refuse').onclick = () => control('upgrades', { accept: false }).then(() => control('drop'));
$('accept').onclick = () => control('upgrades', { accept: true });
