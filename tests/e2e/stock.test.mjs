// WoK's, kimchi's and ginger's stock listener call sites (tests/pages/stock.html, after
// ../shared/wok-protocol.md §4) run unchanged on installWokCompat against the backend:
// REST calls, libvirt-style events, notifications, tab switches and a reconnect.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, until } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env.close(); });

const settle = () => new Promise((r) => setTimeout(r, 400));

test('stock call sites: tabs, REST pushes, libvirt events, notifications, a reconnect', async () => {
  await env.control('reset', {});
  const page = await env.page('/test/stock.html#plugins/kimchi/guests');
  await until(() => page.evaluate(() => window.ready === true), 10000, 'ready');
  await until(async () => (await env.control('sockets')).open === 1, 10000, 'socket');
  const log = async () => page.evaluate(() => window.log.splice(0));
  const rest = (method, path, body) => page.evaluate(([m, p, b]) => fetch(p, { method: m, headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: b === undefined ? undefined : JSON.stringify(b) }).then((r) => r.status), [method, path, body]);
  const tab = async (hash) => { await page.evaluate((h) => { location.hash = h; }, hash); await settle(); };
  await settle();
  assert.deepEqual(await log(), ['wok.notificationsLoop'], 'main() ran the loop once');

  // Guests tab: a libvirt event re-lists the guests; a REST POST pushes POST:/kimchi/vms
  // (nobody listens) and POST:/wok/logs (nobody on this tab).
  await env.control('push', { messages: ['METHOD:/kimchi/vms'] });
  assert.equal(await rest('POST', '/plugins/kimchi/vms', { name: 'vm1' }), 201);
  await settle();
  assert.deepEqual(await log(), ['kimchi.listVmsAuto']);

  // Templates tab: the guests listener is gone, the three template listeners serve REST calls.
  await tab('plugins/kimchi/templates');
  await env.control('push', { messages: ['METHOD:/kimchi/vms'] });
  assert.equal(await rest('POST', '/plugins/kimchi/templates', { name: 't1' }), 201);
  assert.equal(await rest('PUT', '/plugins/kimchi/templates/t1', {}), 200);
  assert.equal(await rest('DELETE', '/plugins/kimchi/templates/t1'), 204);
  await settle();
  assert.deepEqual(await log(), ['kimchi.doListTemplates', 'kimchi.doListTemplates', 'kimchi.doListTemplates']);

  // Network and storage tabs (kimchi.network.js registers at script top level).
  await tab('plugins/kimchi/network');
  await env.control('push', { messages: ['METHOD:/kimchi/networks', 'METHOD:/kimchi/storages', 'PUT:/kimchi/template'] });
  await settle();
  assert.deepEqual(await log(), ['kimchi.initNetworkListView']);
  assert.equal(await page.evaluate(() => document.getElementById('networkBody').textContent), '');
  await tab('plugins/kimchi/storage');
  await env.control('push', { messages: ['METHOD:/kimchi/networks', 'METHOD:/kimchi/storages'] });
  await settle();
  assert.deepEqual(await log(), ['kimchi.doListStoragePools']);

  // User log tab: every REST call ends with POST:/wok/logs.
  await tab('wok/logs');
  assert.equal(await rest('POST', '/plugins/ginger/users', { name: 'u1' }), 201);
  await settle();
  assert.deepEqual(await log(), ['wok.initUserLogConfigGridData']);

  // Ginger has no call sites: its tab registers nothing; the persistent wok listeners stay.
  await tab('plugins/ginger/users');
  await env.control('notify', { code: 'KCHCONN0002E', message: 'Libvirt service is not active.' });
  await until(() => page.evaluate(() => document.querySelectorAll('#alert-container .alert').length === 1), 5000, 'alert');
  await settle();
  assert.deepEqual(await log(), ['wok.notificationsLoop']);
  const alertText = await page.evaluate(() => document.querySelector('#alert-container .alert').textContent);
  assert.match(alertText, /^KCHCONN0002E: /);

  // The server drops the socket: wok-push reconnects; the persistent listeners are called
  // again after the gap (the loop re-reads, the alert is not doubled).
  const opensBefore = (await env.control('sockets')).upgrades;
  await env.control('drop', {});
  await until(async () => (await env.control('sockets')).upgrades > opensBefore && (await env.control('sockets')).open === 1, 10000, 'reconnect');
  await until(async () => (await page.evaluate(() => window.log.length)) >= 2, 5000, 'resync calls');
  await settle();
  assert.deepEqual(await log(), ['wok.notificationsLoop', 'wok.notificationsLoop'], 'both persistent listeners resync');
  assert.equal(await page.evaluate(() => document.querySelectorAll('#alert-container .alert').length), 1);
  // Deleting the notification pushes DELETE:/wok/notification twice and POST:/wok/logs.
  assert.equal(await rest('DELETE', '/notifications/KCHCONN0002E'), 204);
  await settle();
  const after = await log();
  assert.ok(after.length >= 1 && after.every((c) => c === 'wok.notificationsLoop'), after.join());
  // And back on the guests tab, a libvirt event still reaches the new listener.
  await tab('plugins/kimchi/guests');
  await env.control('push', { messages: ['METHOD:/kimchi/vms'] });
  await settle();
  assert.deepEqual(await log(), ['kimchi.listVmsAuto']);
  assert.equal((await env.control('sockets')).open, 1, 'one socket throughout');
  assert.deepEqual(page.pageErrors, []);
});
