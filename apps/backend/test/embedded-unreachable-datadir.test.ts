// Issue 12, hole 9: `pnpm start` from a clone under a mode-700 directory (root's home on
// Debian). As root, the embedded PostgreSQL runs as the `postgres` OS user, which cannot reach
// DATA_DIR there; the runtime must still start, with the cluster in a per-checkout directory
// under SYSTEM_DATA_ROOT (keyed by the requested path), and say where. Only meaningful as root.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM_DATA_ROOT, standInDataDir } from '../src/db/embedded.ts';
import { loadEnv } from '../src/env.ts';
import { startRuntime, type Runtime } from '../src/runtime.ts';
import { createLogger } from '../src/logger.ts';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('embedded PostgreSQL with DATA_DIR under a mode-700 directory (as root)', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'pm-home-'));
  const dataDir = path.join(home, 'clone', '.data');
  const requested = path.join(dataDir, 'postgres');
  let rt: Runtime | null = null;

  afterAll(async () => {
    await rt?.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(path.dirname(standInDataDir(requested)), { recursive: true, force: true });
  });

  it('starts, with the cluster where the postgres user can reach it, and logs where', async () => {
    await fs.chmod(home, 0o700);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const lines: string[] = [];
    const env = loadEnv({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', SEED_DEMO: 'false' });
    const logger = createLogger(env, { write: (line: string) => void lines.push(line) });
    rt = await startRuntime(env, { listen: false, realtime: false, logger });
    expect(rt.embeddedDatabase).toBe(true);
    expect((await rt.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);

    const standIn = standInDataDir(requested);
    expect(standIn.startsWith(`${SYSTEM_DATA_ROOT}/`)).toBe(true);
    expect(existsSync(path.join(standIn, 'PG_VERSION'))).toBe(true);
    expect(readFileSync(path.join(path.dirname(standIn), 'requested-path'), 'utf8').trim()).toBe(requested);
    expect(existsSync(path.join(requested, 'PG_VERSION'))).toBe(false);
    expect(lines.join('\n')).toContain(standIn);
  });
});
