/**
 * `pnpm --filter @prediction-markets/backend reconcile`: check the invariants 1-4 of docs/DESIGN.md ("Invariants")
 * against the database at DATABASE_URL (or the embedded one under DATA_DIR) and print the
 * report. Exits 0 when every check passes, 1 otherwise.
 */
import path from 'node:path';
import { loadEnv } from '../src/env.ts';
import { createPrisma } from '../src/db/prisma.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { reconcileDatabase } from '../src/admin/reconcile.ts';

const env = loadEnv();
let url = env.DATABASE_URL;
let stop: (() => Promise<void>) | null = null;
if (url === undefined) {
  const pg = await startEmbeddedPostgres({ dataDir: path.resolve(env.DATA_DIR, 'postgres') });
  url = pg.url;
  stop = pg.stop;
}
const prisma = createPrisma(url);
try {
  const report = await reconcileDatabase(prisma);
  for (const c of report.checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
  process.stdout.write(`${report.ok ? 'reconcile: clean' : 'reconcile: VIOLATIONS FOUND'} (${report.checkedAt})\n`);
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await prisma.$disconnect();
  if (stop !== null) await stop();
}
