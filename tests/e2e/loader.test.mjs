// The classic loader's stand-in (what WokPush.connect() returns before the wasm is ready) is
// the manager's shape, derived from the same sources: the same members, contract, version,
// ids, stats() keys and errors before ready as after, and the object a page got early is the
// one it keeps using.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, until } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env.close(); });

test('before ready, WokPush.connect() answers as the manager does after', async () => {
  await env.control('reset', {});
  const page = await env.page('/test/loader.html');
  await until(() => page.evaluate(() => window.ready === true), 10000, 'ready');
  const { early, late } = await page.evaluate(() => ({ early: window.early, late: window.late }));
  for (const k of ['members', 'sub', 'contract', 'version', 'stats', 'errors']) assert.deepEqual(early[k], late[k], k);
  assert.equal(typeof early.contract, 'number');
  assert.match(early.version, /^\d+\.\d+\.\d+/);
  assert.ok(early.errors.every((e) => e.startsWith('invalid-option: ')), early.errors.join('\n'));
  // Ids known before ready are the ones the manager gave, the unsubscribed and closed ones too.
  assert.deepEqual(early.ids, [1, 2, 3, 4]);
  assert.deepEqual(late.ids, early.ids);
  assert.equal(late.lateId, 5);
  assert.equal(early.closed, 1);
  assert.deepEqual(early.active, [true, false, false, true]);
  assert.deepEqual(late.active, early.active);
  assert.equal(early.subscriptions, 2);
  assert.equal(late.subscriptions, 3);
  // The early object keeps working: its subscriptions get pushes, the dropped ones do not.
  await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'open');
  await env.control('push', { messages: ['LOADER:gone', 'LOADER:dropped', 'LOADER:a', 'LOADER:b'] });
  await until(() => page.evaluate(() => window.got.length >= 2), 5000, 'pushes');
  assert.deepEqual(await page.evaluate(() => window.got), ['LOADER:a', 'LOADER:b']);
  assert.deepEqual(page.pageErrors, []);
});
