// Every file path the docs and the doc comments name exists: every markdown file at the top
// (README, CHANGELOG…), docs/, the code's comments (crates/, src/, js/, scripts/, server/,
// tests/, bench/, www/, contrib/) and the markdown links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
// Paths of WoK's own tree (pushserver.py, wok.main.js…) are checked against the upstream copy.
const upstream = join(root, '..', 'shared', 'upstream', 'wok');
const TOP = ['crates', 'src', 'js', 'scripts', 'server', 'tests', 'bench', 'www', 'docs', 'contrib', 'pkg', '.ci'];
const walk = (dir) => readdirSync(dir).flatMap((f) => {
  const p = join(dir, f);
  return statSync(p).isDirectory() ? walk(p) : [p];
});
// Outputs the build or the bench write (.gitignore: /pkg, /bench/results.json…) are named, not kept.
const ignored = readFileSync(join(root, '.gitignore'), 'utf8').split('\n')
  .map((l) => l.trim().replace(/^\//, '')).filter((l) => l && !l.startsWith('#'));
const sources = [...readdirSync(root).filter((f) => f.endsWith('.md')).map((f) => join(root, f)), ...['docs', ...TOP.filter((d) => !['docs', 'pkg'].includes(d))]
  .flatMap((d) => (existsSync(join(root, d)) ? walk(join(root, d)) : []))]
  .filter((f) => /\.(md|rs|mjs|js|sh|html|py|ts)$/.test(f) && !f.includes('node_modules'));

// A repository path in backticks or after a space: `crates/core/src/coalesce.rs`, tests/e2e/…
const PATH = new RegExp(`(?<![\\w./-])((?:${TOP.map((d) => d.replace('.', '\\.')).join('|')})/[\\w./-]*[\\w/])`, 'g');

test('every repository path named in the docs and doc comments exists', () => {
  const missing = [];
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    const md = file.endsWith('.md');
    for (const m of text.matchAll(PATH)) {
      const p = m[1].replace(/[.]$/, '');
      // Built output, placeholders and URLs in a template are not files here.
      if (ignored.some((g) => p === g || p.startsWith(`${g}/`)) || /[<>*]/.test(p) || text.slice(m.index - 6, m.index).includes("('")) continue;
      // WoK's configure makes src/wokd from src/wokd.in and so on: either names the file.
      const found = existsSync(join(root, p)) || existsSync(join(upstream, p)) || existsSync(join(upstream, `${p}.in`));
      if (!found) missing.push(`${relative(root, file)}: ${p}`);
    }
    if (md) {
      // Links outside code blocks (a diff's `a[j](b)` is code, not a link).
      for (const m of text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/\]\(([^)#:\s]+)(#[^)]*)?\)/g)) {
        if (!existsSync(join(dirname(file), m[1]))) missing.push(`${relative(root, file)}: link ${m[1]}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});

// docs/wok-integration.md shows the WoK patch series through generated blocks: they must be
// the series as `npm run wok-series` makes it (scripts/wok-guide.mjs --check), and the series
// must apply to the upstream tree (wok-series.mjs applies every patch with `git am`).
test('the WoK guide shows the patch series as it is, and the series applies', () => {
  const out = execFileSync('node', [join(root, 'scripts', 'wok-guide.mjs'), '--check'], { encoding: 'utf8' });
  assert.match(out, /shows the series as it is/);
});
