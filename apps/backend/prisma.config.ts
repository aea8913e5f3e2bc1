// Prisma CLI configuration for apps/backend. Loaded ONLY by the Prisma CLI (generate, migrate,
// diff), never by the service, so the process-wide patches below stay inside the CLI process.
// Run the CLI through scripts/db/prisma-cli.mjs (the package's db:* scripts do), which also
// preloads scripts/db/unref-timers.mjs and always sets DATABASE_URL.
//
// Why it looks like this (details in docs/toolchain.md, "Prisma 6.19"):
// - `engine: 'js'` + `experimental.adapter` + an adapter factory make Prisma 6.19 use its Wasm
//   schema engine; otherwise it tries to download a native engine from an unreachable host.
// - Fix 1: the schema engine's introspection (migrate diff --from-migrations, migrate dev) reads
//   columns of type "char" (oid 18) and name (oid 19), which the adapter cannot deserialize:
//   pg result fields with those types are reported (and parsed) as text (oid 25).
// - Fix 2: @prisma/adapter-pg's connectToShadowDb() keeps the main connection string, so the
//   "shadow" database was the main database (migrate diff --from-migrations applied every
//   migration to it). The subclass below creates a real temporary database and drops it.
// - Fix 3 (exit promptly): `allowExitOnIdle` on every pool here, plus the unref-timers preload.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { defineConfig } from 'prisma/config';

const backendDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(backendDir, '../..');

// ---- Fix 1: pg type ids 18 ("char") and 19 (name) read as text (25), CLI process only. ----
// Patch the pg copy that @prisma/adapter-pg itself loads (resolved from the adapter's location).
const requireFromAdapter = createRequire(createRequire(import.meta.url).resolve('@prisma/adapter-pg'));
const PgResult = requireFromAdapter('pg/lib/result.js') as {
  prototype: { addFields(fields: Array<{ dataTypeID: number }>): void; __charAsText?: boolean };
};
if (!PgResult.prototype.__charAsText) {
  const addFields = PgResult.prototype.addFields;
  PgResult.prototype.addFields = function (fields) {
    for (const field of fields) {
      if (field.dataTypeID === 18 || field.dataTypeID === 19) field.dataTypeID = 25;
    }
    return addFields.call(this, fields);
  };
  PgResult.prototype.__charAsText = true;
}

// ---- Fix 4 (PostgreSQL 18, found here): NOT NULL constraints in pg_constraint. ----
// PostgreSQL 18 records NOT NULL constraints in pg_constraint (contype 'n'). The 6.19 schema
// engine's introspection query only excludes 'p', 'u' and 'f', meets the unknown 'n' rows and
// panics ("RuntimeError: unreachable" in the Wasm engine) in `migrate diff --from-migrations`.
// NOT NULL is introspected from pg_attribute anyway, so those rows are filtered out of that query.
const PgClient = requireFromAdapter('pg/lib/client.js') as {
  prototype: { query(config: unknown, ...rest: unknown[]): unknown; __pg18NotNull?: boolean };
};
const CONTYPE_FILTER = "contype NOT IN ('p', 'u', 'f')";
const rewriteSql = (sql: string) => (sql.includes(CONTYPE_FILTER) ? sql.replace(CONTYPE_FILTER, "contype NOT IN ('p', 'u', 'f', 'n')") : sql);
if (!PgClient.prototype.__pg18NotNull) {
  const query = PgClient.prototype.query;
  PgClient.prototype.query = function (config: unknown, ...rest: unknown[]) {
    if (typeof config === 'string') config = rewriteSql(config);
    else if (config && typeof config === 'object' && typeof (config as { text?: unknown }).text === 'string') {
      const c = config as { text: string };
      const text = rewriteSql(c.text);
      if (text !== c.text) config = { ...c, text };
    }
    return query.call(this, config, ...rest);
  };
  PgClient.prototype.__pg18NotNull = true;
}

// ---- Fix 2: a shadow database that is really a separate, temporary database. ----
function discreteSettings(connectionString: string, database: string): pg.PoolConfig {
  const url = new URL(connectionString);
  const socketHost = url.searchParams.get('host'); // postgresql://u:p@/db?host=/var/run/postgresql
  const sslmode = url.searchParams.get('sslmode');
  return {
    host: socketHost ?? (url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1'),
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database,
    ssl: sslmode && sslmode !== 'disable' ? { rejectUnauthorized: sslmode === 'verify-full' } : undefined,
    max: 2,
    allowExitOnIdle: true,
  };
}

class PrismaPgWithShadowDb extends PrismaPg {
  readonly #connectionString: string;

  constructor(connectionString: string) {
    super({ connectionString, max: 4, allowExitOnIdle: true });
    this.#connectionString = connectionString;
  }

  override async connectToShadowDb() {
    const name = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
    const admin = new pg.Client({ connectionString: this.#connectionString });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
      const adapter = await new PrismaPg(discreteSettings(this.#connectionString, name)).connect();
      const dispose = adapter.dispose.bind(adapter);
      let disposed = false;
      adapter.dispose = async () => {
        if (disposed) return;
        disposed = true;
        try {
          await dispose(); // closes the shadow pool first, then the database can go
        } finally {
          try {
            await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
          } finally {
            await admin.end();
          }
        }
      };
      return adapter;
    } catch (err) {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
      await admin.end().catch(() => {});
      throw err;
    }
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(repoRoot, 'prisma/schema.prisma'),
  migrations: { path: path.join(repoRoot, 'prisma/migrations') },
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL must be set for the Prisma CLI (see scripts/db/prisma-cli.mjs)');
    return new PrismaPgWithShadowDb(url);
  },
});
