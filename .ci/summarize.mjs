// Sum every package's vitest JSON report (test-results/vitest.json) into one line:
// "N passed, N failed". Exits 1 when a report is missing or no test ran.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of ['packages', 'apps']) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const pkg = path.join(dir, name);
    if (!existsSync(path.join(pkg, 'vitest.config.ts'))) continue;
    const report = path.join(pkg, 'test-results', 'vitest.json');
    if (!existsSync(report)) {
      missing.push(pkg);
      continue;
    }
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrorTests ?? 0);
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`${pkg}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  }
}
if (missing.length > 0) console.log(`no test report from: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0;
