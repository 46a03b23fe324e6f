// Shared helpers for the Playwright end-to-end tests: the system Chromium (never a
// downloaded browser) and a fresh backend per test file, on 127.0.0.1.
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startBackend } from '../../server/backend.mjs';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/**
 * The two browsers of the cross-browser tests: Chromium through Playwright (pages of one
 * context, so they share Web Locks and BroadcastChannel, as tabs do) and Firefox ESR through
 * puppeteer-core over WebDriver BiDi (pages of one browser). `{ insecure: true }`: both
 * accept self-signed certificates (the real WoK's and its CDN mirror's, tests/wok-real/).
 */
export const BROWSERS = {
  async chromium({ insecure = false } = {}) {
    const b = await launch();
    const ctx = await b.newContext({ ignoreHTTPSErrors: insecure });
    return { newPage: () => ctx.newPage(), close: () => b.close() };
  },
  async firefox({ insecure = false } = {}) {
    const b = await puppeteer.launch({ browser: 'firefox', executablePath: process.env.FIREFOX
      || ['/usr/bin/firefox-esr', '/usr/bin/firefox'].find((f) => existsSync(f)),
      headless: true, protocol: 'webDriverBiDi', acceptInsecureCerts: insecure });
    return { newPage: () => b.newPage(), close: () => closeFirefox(b) };
  },
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms).unref()); // never holds the process
const running = (p) => p && p.exitCode === null && p.signalCode === null;

/**
 * Closes a puppeteer Firefox and makes sure its process is gone: `browser.close()` may never
 * settle (Firefox's quit can wait on a network fetch this closed machine never answers), or
 * settle with the process still alive (puppeteer/puppeteer#15468), and a live browser process
 * keeps the test file's process, and so the whole `node --test` run, from ending.
 */
async function closeFirefox(b) {
  const proc = b.process();
  const exited = running(proc) ? new Promise((r) => proc.once('exit', r)) : Promise.resolve();
  await Promise.race([b.close().catch(() => {}), sleep(10000)]);
  await Promise.race([exited, sleep(5000)]);
  if (running(proc)) { proc.kill('SIGKILL'); await Promise.race([exited, sleep(2000)]); }
}

/** Firefox's page error for each websocket that cannot connect, thrown by no script: tests set it apart. */
export const NETWORK_ERROR = /can.t establish a connection to the server at wss?:/;

/** Runs `fn` in every document `page` loads, before the page's own scripts (either browser). */
export const beforeScripts = (page, fn) => (page.addInitScript ? page.addInitScript(fn) : page.evaluateOnNewDocument(fn));

/** The control API of `backend` (server/backend.mjs): GET without a body, POST with one. */
export const controlOf = (backend) => async (what, body) => (await fetch(`${backend.url}/_control/${what}`, {
  method: body === undefined ? 'GET' : 'POST', headers: { 'Content-Type': 'application/json' },
  body: body === undefined ? undefined : JSON.stringify(body) })).json();

export async function setup() {
  const backend = await startBackend({ port: 0 });
  const browser = await launch();
  const control = controlOf(backend);
  const pages = [];
  return {
    backend, browser, control,
    /** Closes every page this env opened, so a failed test's page cannot keep talking. */
    async closePages() {
      for (const p of pages.splice(0)) await p.close().catch(() => {});
    },
    async page(path) {
      await this.closePages();
      const page = await browser.newPage();
      pages.push(page);
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      page.pageErrors = pageErrors;
      await page.goto(`${backend.url}${path}`);
      return page;
    },
    async close() { await browser.close(); await backend.close(); },
  };
}

/** Polls `fn` until it returns truthy (or throws after `ms`). */
export async function until(fn, ms = 5000, what = 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Another release of wok-push, as an older plugin would ship it: builds it into target/pkg-other (release 0.1.99-other) unless that build is newer than pkg/. */
export function otherRelease() {
  const root = join(import.meta.dirname, '..', '..');
  const wasm = join(root, 'target', 'pkg-other', 'wok_push_bg.wasm');
  const fresh = existsSync(wasm) && statSync(wasm).mtimeMs >= statSync(join(root, 'pkg', 'wok_push_bg.wasm')).mtimeMs;
  if (!fresh) {
    execFileSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'ignore',
      env: { ...process.env, WOK_PUSH_VERSION: '0.1.99-other', WOK_PUSH_OUT: 'target/pkg-other' } });
  }
}
