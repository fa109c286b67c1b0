// npm run e2e drives the real binary: build the UI and the binary when either is missing or
// older than the UI sources (make build does the same; this keeps `npm run e2e` self-contained).
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fe = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(fe, '..');
const bin = process.env.ASSAY_BIN ?? path.join(root, 'bin', 'assay');
const index = path.join(root, 'embed', 'dist', 'app', 'index.html');

const newest = (dir) => {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
};
const mtime = (p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0);
const src = Math.max(newest(path.join(fe, 'src')), mtime(path.join(fe, 'index.html')), mtime(path.join(fe, 'vite.config.ts')));

if (!fs.existsSync('/usr/bin/chromium') && !process.env.CHROMIUM) {
  console.error('e2e: /usr/bin/chromium is missing: apt-get install -y chromium');
  process.exit(1);
}
if (mtime(index) < src) {
  console.log('e2e: building the web app');
  execSync('npm run build', { cwd: fe, stdio: 'inherit' });
}
if (!process.env.ASSAY_BIN && (mtime(bin) < mtime(index) || mtime(bin) < newest(path.join(root, 'app')) || mtime(bin) < newest(path.join(root, 'auth')))) {
  console.log('e2e: building bin/assay');
  execSync('go build -o bin/assay .', { cwd: root, stdio: 'inherit' });
}

// The development OpenID Provider, so the journeys can sign two distinct reviewers in.
const idp = path.join(root, 'bin', 'dev-idp');
if (fs.existsSync(path.join(root, 'cmd', 'dev-idp')) && mtime(idp) < newest(path.join(root, 'internal', 'devidp'))) {
  console.log('e2e: building bin/dev-idp');
  execSync('go build -o bin/dev-idp ./cmd/dev-idp', { cwd: root, stdio: 'inherit' });
}
