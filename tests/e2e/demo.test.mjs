// The demo (`npm start`) as a user sees it: click through the backend console and check what
// the page shows. Screenshots go to test-results/ (git-ignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { setup, until } from './helpers.mjs';

let env;
before(async () => { env = await setup(); mkdirSync('test-results', { recursive: true }); });
after(async () => { await env.close(); });

const text = (page, sel) => page.evaluate((s) => document.querySelector(s).textContent, sel);
const waitText = (page, sel, re, what, ms = 10000) => until(async () => re.test(await text(page, sel)), ms, what);

test('demo: tabs, console, reconnect, fallback and return, notifications', async () => {
  await env.control('reset', {});
  const page = await env.page('/');
  await page.setViewportSize({ width: 1280, height: 800 });
  await waitText(page, '#badge', /^open · websocket · leader$/, 'badge open');
  assert.equal((await env.control('sockets')).open, 1, 'the shell and the classic-script plugin share one socket');

  // Kimchi › Guests: create a guest, the list refreshes from the backend.
  await page.click('[data-act="create-guest"]');
  await waitText(page, '#guest-rows', /vm-1/, 'guest row');
  await page.click('[data-act="create-guest"]');
  await waitText(page, '#guest-rows', /vm-1vm-2/, 'second guest row');
  await waitText(page, '#log', /push: POST:\/kimchi\/vms/, 'log line');

  // Kimchi › Templates (old WoK API) and Ginger › Users (classic script plugin).
  await page.click('nav a[href="#kimchi/templates"]');
  await page.click('[data-act="create-template"]');
  await waitText(page, '#template-rows', /template-1/, 'template row');
  await page.click('nav a[href="#ginger/users"]');
  await page.click('[data-act="create-user"]');
  await waitText(page, '#user-rows', /user-1/, 'user row');
  await page.click('nav a[href="#wok/logs"]');
  await waitText(page, '#log-rows', /POST:\/ginger\/users/, 'user log');
  assert.equal((await env.control('sockets')).open, 1);
  await page.screenshot({ path: 'test-results/demo-1-tabs.png' });

  // Drop all sockets: back to open, a resync line.
  await page.click('nav a[href="#kimchi/guests"]');
  await page.click('[data-act="drop"]');
  await waitText(page, '#log', /resync/, 'resync logged');
  await waitText(page, '#badge', /^open · websocket · leader$/, 'badge back to open');

  // Refuse upgrades: polling; a notification raised meanwhile is shown once.
  await page.click('[data-act="refuse"]');
  await waitText(page, '#badge', /^polling · probe in \d+\.\d s · leader$/, 'badge polling with probe countdown');
  await page.click('[data-act="raise"]');
  await waitText(page, '#alert-container', /KCHCONN0002E: Libvirt service is not active/, 'alert shown');
  await page.screenshot({ path: 'test-results/demo-2-polling.png' });
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await page.evaluate(() => document.querySelectorAll('#alert-container .alert').length), 1);

  // Accept again: back on the websocket.
  await page.click('[data-act="accept"]');
  // The probe runs on the jittered backoff, then must prove useful (usefulAfterMs, 5 s).
  await waitText(page, '#badge', /^open · websocket · leader$/, 'badge open again', 45000);
  await waitText(page, '#log', /probe-succeeded/, 'probe logged');
  // Closing the alert sends DELETE /notifications/<code>.
  await page.click('#alert-container .alert button');
  await until(async () => (await env.control('state')).notifications.length === 0, 5000, 'notification deleted');
  await page.screenshot({ path: 'test-results/demo-3-back.png' });

  // A narrow window stays readable.
  await page.setViewportSize({ width: 420, height: 800 });
  await page.screenshot({ path: 'test-results/demo-4-narrow.png', fullPage: true });
  assert.deepEqual(page.pageErrors, []);
  await page.close();
});
