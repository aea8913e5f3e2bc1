// Applies the committed migrations (../../../../prisma/migrations) at start-up: runs the Prisma
// CLI's `migrate deploy` as a child process, set up by ../../scripts/db/prisma-cli.mjs with this
// project's fixes (prisma.config.ts for the Wasm schema engine, unref'd timers so it exits at once).
// About 1 s on an up-to-date database (5 s and more on a busy machine), so start-up first checks
// `_prisma_migrations` itself: when every committed migration is recorded as applied with the
// checksum of its file (sha256 of migration.sql, as Prisma records it), there is nothing to
// deploy and the CLI is not run. Concurrent deploys are serialised by Prisma's advisory lock.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { prismaCommand } from '../../scripts/db/prisma-cli.mjs';
import { migrationsDir } from '../../scripts/db/paths.ts';

export interface MigrateDeployOptions {
  /** Print Prisma's output (default: only on failure). */
  verbose?: boolean;
  /** Kill the CLI after this long (default 120 s). */
  timeoutMs?: number;
  /** Run the CLI even when every migration is recorded as applied (default false). */
  always?: boolean;
}

/**
 * True when the database records every committed migration (prisma/migrations/<name>/migration.sql)
 * as applied, not rolled back, with the checksum of the committed file. False when anything
 * differs or cannot be read (the CLI then decides, and reports).
 */
export async function migrationsUpToDate(databaseUrl: string, dir: string = migrationsDir): Promise<boolean> {
  const committed = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => ({ name: e.name, checksum: createHash('sha256').update(readFileSync(path.join(dir, e.name, 'migration.sql'))).digest('hex') }));
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'prediction-markets-migrate-check' });
  try {
    await client.connect();
    const { rows } = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    return committed.every((m) => applied.get(m.name) === m.checksum);
  } catch {
    return false; // e.g. no _prisma_migrations table yet
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Apply pending migrations (Prisma CLI `migrate deploy`); skipped when `migrationsUpToDate`. */
export async function migrateDeploy(databaseUrl: string, opts: MigrateDeployOptions = {}): Promise<void> {
  if (opts.always !== true && (await migrationsUpToDate(databaseUrl))) return;
  const cmd = prismaCommand(['migrate', 'deploy'], { ...process.env, DATABASE_URL: databaseUrl });
  const child = spawn(cmd.command, cmd.args, { cwd: cmd.cwd, env: cmd.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (opts.verbose) process.stderr.write(chunk);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  if (code !== 0) {
    throw new Error(`prisma migrate deploy failed (exit ${code ?? 'killed'}):\n${redact(output.trim())}`);
  }
}

function redact(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/g, '$1***@');
}
