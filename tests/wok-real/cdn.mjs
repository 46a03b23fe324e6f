// The CDN files of WoK's pages, offline (tests/wok-real/README.md). WoK 5761c37's templates load
// jQuery, Bootstrap and the rest from cdnjs.cloudflare.com and cdn.datatables.net; the
// browsers of this layer run in a network namespace whose /etc/hosts sends both names to
// 127.0.0.1, where this server answers over TLS.
//
//   node tests/wok-real/cdn.mjs fetch <dir>      fill <dir> from the npm registry (skips what it has)
//   node tests/wok-real/cdn.mjs serve <dir>      serve <dir> on 127.0.0.1:443 (in the namespace)
//
// What to serve is ../shared/upstream/wok-cdn-manifest.tsv: each CDN path and the npm package
// file (or directory) with the same content. Two rows name files of WoK's own history, which
// no registry has; they are taken from the npm packages in SUBSTITUTES instead.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:https';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const MANIFEST = join(root, '..', 'shared', 'upstream', 'wok-cdn-manifest.tsv');
// WoK 2.5.0's bundled copies, from the npm registry: the jQuery UI datepicker translations of
// 1.12.1 (one file per language; WoK's 1.11 bundle is their concatenation) and the DataTables
// ip-address sorting plug-in (1.10.15, the oldest on npm).
const SUBSTITUTES = {
  'wok:2.5.0:ui/libs/jquery-ui/jquery-ui-i18n.min.js': { pkg: 'jquery-ui@1.12.1', concat: 'ui/i18n', match: /^datepicker-.*\.js$/ },
  'wok:2.5.0:ui/libs/datatables/js/plugins/ip-address/ip-address.js': { pkg: 'datatables.net-plugins@1.10.15', path: 'sorting/ip-address.js' },
};
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.gif': 'image/gif',
  '.svg': 'image/svg+xml', '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.eot': 'application/vnd.ms-fontobject' };

/** The manifest's rows: { url: 'host/path' (a trailing / = a directory), source }. */
function rows() {
  return readFileSync(MANIFEST, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))
    .map((l) => { const [url, source] = l.split('\t'); return { url, source }; });
}

/** The unpacked npm package `name@version` in `dir`/npm/, fetched with `npm pack` once. */
function unpacked(dir, spec) {
  const at = join(dir, 'npm', spec.replace('/', '+'));
  if (existsSync(join(at, 'package', 'package.json'))) return join(at, 'package');
  mkdirSync(at, { recursive: true });
  const file = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', at], { encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', join(at, file), '-C', at]);
  return join(at, 'package');
}

function fetchAll(dir) {
  const started = Date.now();
  let made = 0;
  const all = rows();
  for (const { url, source } of all) {
    const dest = join(dir, 'www', url);
    if (existsSync(dest)) continue;
    const sub = SUBSTITUTES[source];
    if (sub) {
      const from = unpacked(dir, sub.pkg);
      mkdirSync(join(dest, '..'), { recursive: true });
      if (sub.concat) {
        const parts = readdirSync(join(from, sub.concat)).filter((f) => sub.match.test(f)).sort();
        writeFileSync(dest, parts.map((f) => readFileSync(join(from, sub.concat, f), 'utf8')).join('\n'));
      } else {
        cpSync(join(from, sub.path), dest);
      }
    } else {
      const m = /^npm:(@?[^@]+)@([^:]+):(.+)$/.exec(source);
      if (!m) throw new Error(`manifest: unknown source ${source}`);
      const from = join(unpacked(dir, `${m[1]}@${m[2]}`), m[3]);
      mkdirSync(join(dest, '..'), { recursive: true });
      cpSync(from, dest, { recursive: true });
    }
    made++;
  }
  console.log(`cdn: ${made} of ${all.length} files or directories made in ${dir}/www (${Date.now() - started} ms)`);
}

function serve(dir) {
  const www = join(dir, 'www');
  const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
  if (!existsSync(cert)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=cdn',
      '-addext', 'subjectAltName=DNS:cdnjs.cloudflare.com,DNS:cdn.datatables.net', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  }
  const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    const host = (req.headers.host || '').split(':')[0];
    const path = normalize(join(www, host, decodeURIComponent(new URL(req.url, 'https://x').pathname)));
    if (!path.startsWith(www) || !existsSync(path) || statSync(path).isDirectory()) {
      res.writeHead(404, { 'Access-Control-Allow-Origin': '*' });
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] || 'application/octet-stream',
      'Access-Control-Allow-Origin': '*', 'Cache-Control': 'max-age=3600' });
    res.end(readFileSync(path));
  });
  server.listen(443, '127.0.0.1', () => console.log('cdn: serving on https://127.0.0.1:443'));
}

const [cmd, dir] = process.argv.slice(2);
if (cmd === 'fetch' && dir) fetchAll(dir);
else if (cmd === 'serve' && dir) serve(dir);
else { console.error('usage: cdn.mjs fetch|serve <dir>'); process.exit(2); }
