// The diffs shown in docs/wok-integration.md, taken from the patch series itself (never typed
// beside it). A block in the guide
//
//   <!-- patch 0004 ui/js/src/wok.main.js -->
//   ```diff
//   …
//   ```
//   <!-- /patch -->
//
// holds the named files' diffs of patch 0004 of target/wok-series/ (all its text files when
// none is named). Binary files and the built package's JS are never shown.
//
//   node scripts/wok-guide.mjs            make the series (scripts/wok-series.mjs), rewrite the blocks
//   node scripts/wok-guide.mjs --check    exit 1 if a block differs from the series
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const guide = join(root, 'docs', 'wok-integration.md');
const series = join(root, 'target', 'wok-series');
const check = process.argv.includes('--check');

execFileSync('node', [join(root, 'scripts', 'wok-series.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
const patches = new Map(readdirSync(series).filter((f) => f.endsWith('.patch')).map((f) => [f.slice(0, 4), readFileSync(join(series, f), 'utf8')]));

/** The per-file diffs of a patch: Map(path → text from `diff --git` to the next one). */
function files(patch) {
  const body = patch.slice(0, patch.lastIndexOf('\n-- \n') + 1 || undefined);
  const parts = body.split(/^(?=diff --git )/m).slice(1);
  return new Map(parts.map((p) => [/^diff --git a\/(\S+) /.exec(p)[1], p.trimEnd()]));
}
const shown = (path, text) => !/^GIT binary patch$/m.test(text) && !/^ui\/libs\/wok-push\/wok[-_]push\.js$/.test(path);

const BLOCK = /<!-- patch (\d{4})((?: [\w./-]+)*) -->\n```diff\n[\s\S]*?```\n<!-- \/patch -->/g;
const text = readFileSync(guide, 'utf8');
const problems = [];
const next = text.replace(BLOCK, (block, n, names) => {
  const patch = patches.get(n);
  if (!patch) { problems.push(`patch ${n} is not in the series`); return block; }
  const all = files(patch);
  const wanted = names.trim() ? names.trim().split(' ') : [...all.keys()].filter((p) => shown(p, all.get(p)));
  const diffs = wanted.map((p) => {
    if (!all.has(p)) problems.push(`patch ${n} does not change ${p}`);
    return all.get(p) || '';
  });
  return `<!-- patch ${n}${names} -->\n\`\`\`diff\n${diffs.join('\n')}\n\`\`\`\n<!-- /patch -->`;
});
if (problems.length) { console.error(`wok-guide: ${problems.join('; ')}`); process.exit(1); }
if (check) {
  if (next !== text) { console.error('wok-guide: docs/wok-integration.md differs from the series: run `node scripts/wok-guide.mjs`'); process.exit(1); }
  console.log('wok-guide: the guide shows the series as it is');
} else {
  writeFileSync(guide, next);
  console.log(`wok-guide: ${(text.match(BLOCK) || []).length} blocks written`);
}
