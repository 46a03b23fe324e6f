// `npm run pack`: the package as users get it, a tarball of pkg/ (built first by
// `npm run pack`), written to target/wok-push-<version>.tgz and copied to target/wok-push.tgz
// (the name the consumer tests install). `npm install ./target/wok-push.tgz` in an app, or
// publish it with `npm publish ./pkg` (README "Getting it").
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const pkg = join(root, 'pkg');
const target = join(root, 'target');
if (!existsSync(join(pkg, 'package.json'))) {
  console.error('pack: pkg/ is not built: run `npm run build` (or `npm run pack`, which builds first)');
  process.exit(1);
}
const [info] = JSON.parse(execFileSync('npm', ['pack', pkg, '--pack-destination', target, '--json'], { encoding: 'utf8' }));
copyFileSync(join(target, info.filename), join(target, 'wok-push.tgz'));
console.log(`pack: target/${info.filename} (${info.size} B, ${info.entryCount} files: ${info.files.map((f) => f.path).join(', ')})`);
console.log('pack: also target/wok-push.tgz; install it with `npm install <path>/wok-push.tgz`');
