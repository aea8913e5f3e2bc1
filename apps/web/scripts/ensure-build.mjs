#!/usr/bin/env node
// Builds the web UI (apps/web/dist) when the build is missing or older than any of its sources
// (the app, and the workspace packages bundled into it). Run by the root `pnpm start` before
// the backend starts, so a fresh clone serves the UI with no extra step. Prints what it did.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(webDir, '../..');
const builtFile = path.join(webDir, 'dist', 'index.html');
const sources = [
  path.join(webDir, 'src'),
  path.join(webDir, 'public'),
  path.join(webDir, 'index.html'),
  path.join(webDir, 'vite.config.ts'),
  path.join(webDir, 'package.json'),
  path.join(repo, 'packages', 'shared', 'src'),
  path.join(repo, 'packages', 'client', 'src'),
];

/** Newest modification time (ms) under `p` (a file or a directory), 0 when absent. */
function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const e of readdirSync(p)) max = Math.max(max, newestMtime(path.join(p, e)));
  return max;
}

const builtAt = existsSync(builtFile) ? statSync(builtFile).mtimeMs : 0;
const sourcesAt = Math.max(...sources.map(newestMtime));
if (builtAt > 0 && builtAt >= sourcesAt) {
  console.log('web UI build is up to date (apps/web/dist)');
  process.exit(0);
}
console.log(builtAt === 0 ? 'web UI not built yet: building apps/web …' : 'web UI sources changed: rebuilding apps/web …');
const r = spawnSync('pnpm', ['exec', 'vite', 'build', '--logLevel', 'warn'], { cwd: webDir, stdio: 'inherit' });
if (r.status !== 0) {
  console.error('web UI build failed');
  process.exit(r.status ?? 1);
}
const check = spawnSync(process.execPath, ['--import', 'tsx', path.join(webDir, 'scripts', 'check-bundle.ts')], { cwd: webDir, stdio: 'inherit' });
process.exit(check.status ?? 1);
