// db:check — fails (exit 2) when prisma/schema.prisma and prisma/migrations differ, i.e. when a
// schema change has no migration (or a migration was edited). For CI. Needs a database for
// Prisma's shadow database: $DATABASE_URL, or a temporary embedded PostgreSQL when unset.
// Exit codes: 0 in sync, 2 drift (the missing SQL is printed), 1 error.
import { existsSync, readdirSync } from 'node:fs';
import { runPrisma } from './prisma-cli.mjs';
import { migrationsDir, schemaPath } from './paths.ts';
import { withDatabaseUrl } from './with-database.ts';

const started = Date.now();
const hasMigrations =
  existsSync(migrationsDir) && readdirSync(migrationsDir, { withFileTypes: true }).some((e) => e.isDirectory());
const from = hasMigrations ? ['--from-migrations', migrationsDir] : ['--from-empty'];

const result = await withDatabaseUrl((url) =>
  runPrisma(['migrate', 'diff', ...from, '--to-schema-datamodel', schemaPath, '--script', '--exit-code'], {
    env: { ...process.env, DATABASE_URL: url },
    capture: true,
  }),
);

const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (result.code === 0) {
  console.log(`db:check: prisma/schema.prisma and prisma/migrations are in sync (${seconds} s)`);
} else if (result.code === 2) {
  console.error(`db:check: DRIFT — prisma/schema.prisma differs from prisma/migrations (${seconds} s).`);
  console.error('SQL needed to bring the migrations up to the schema:\n');
  console.error(result.stdout.trim());
  console.error('\nCreate a migration: pnpm --filter @prediction-markets/backend db:migrate:create -- <name>');
} else {
  console.error(`db:check: prisma migrate diff failed (exit ${result.code})`);
  console.error(result.stdout);
  console.error(result.stderr);
}
process.exitCode = result.code === 0 ? 0 : result.code === 2 ? 2 : 1;
