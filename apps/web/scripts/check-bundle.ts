#!/usr/bin/env node
// After `vite build`: prints the gzipped size of the initial JavaScript, and fails when any
// chunk contains matching-engine code (the browser bundle must not: packages/shared is the
// zod-only contract). Part of `pnpm test` of this package.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allJs, distDir, engineMarkers, initialJs } from './bundle.ts';

const files = initialJs();
const total = files.reduce((s, f) => s + f.gzipBytes, 0);
for (const f of files) console.log(`  initial ${f.file}: ${(f.gzipBytes / 1024).toFixed(1)} KB gzipped`);
console.log(`initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (${files.length} files; target <= 250 KB)`);

const markers = engineMarkers();
if (markers.length < 5) {
  console.error(`engine check: only ${markers.length} engine-only strings found to look for; the check would prove nothing`);
  process.exit(1);
}
const hits: string[] = [];
for (const f of allJs()) {
  const code = readFileSync(path.join(distDir, f), 'utf8');
  for (const m of markers) if (code.includes(m)) hits.push(`${f}: "${m}"`);
}
if (hits.length > 0) {
  console.error(`engine check FAILED: matching-engine code in the browser bundle:\n  ${hits.slice(0, 10).join('\n  ')}`);
  process.exit(1);
}
console.log(`engine check: none of ${markers.length} engine-only strings in ${allJs().length} JS files`);
