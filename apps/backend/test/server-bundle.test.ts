// The server bundle `pnpm start` runs (scripts/build.mjs -> dist/server/index.mjs): it builds,
// it is recognised as up to date afterwards, and it starts as a newcomer's `pnpm start` does -
// no DATABASE_URL, so its embedded PostgreSQL (the library and its programs loaded from
// node_modules, outside the bundle), migrations applied by the Prisma CLI child process, the
// Prisma client's query compiler loaded - and serves /ready, the API and the OpenAPI UI (whose
// static files come from its package), then shuts down cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, bundleUpToDate, ensureBundle } from '../scripts/build.mjs';
import { serverProcess } from '../bench/server-process.ts';

describe('server bundle (pnpm start)', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pm-bundle-'));
  chmodSync(tmp, 0o755); // the `postgres` OS user must reach the data directory when run as root
  let child: ChildProcess | null = null;

  afterAll(async () => {
    if (child !== null && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it('builds, and is then up to date', async () => {
    await ensureBundle({ quiet: true });
    expect(existsSync(BUNDLE_FILE)).toBe(true);
    expect(bundleUpToDate()).toBe(true);
  });

  it('starts on an embedded database, serves /ready, the API and /docs, and stops cleanly on SIGTERM', async () => {
    const cmd = serverProcess();
    expect(cmd.args).toEqual([path.relative(cmd.cwd, BUNDLE_FILE)]);
    const proc = spawn(cmd.command, cmd.args, {
      cwd: cmd.cwd,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: '0',
        DATABASE_URL: '',
        REDIS_URL: '',
        DATA_DIR: path.join(tmp, 'data'),
        LOG_LEVEL: 'info',
        SEED_DEMO: 'false',
        HOUSE_MAKER: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let out = '';
    proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the bundle did not start:\n${out}`)), 110_000);
      proc.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /API\s+(http:\/\/\S+?)\/api\/markets/.exec(out);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[1]!.replace('localhost', '127.0.0.1'));
        }
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the bundle exited (${code ?? signal}) before it was up:\n${out}`));
      });
    });
    expect(out).toContain('embedded PostgreSQL started');

    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    const markets = await fetch(`${base}/api/markets`);
    expect(markets.status).toBe(200);
    expect(await markets.json()).toMatchObject({ markets: [] });
    const docs = await fetch(`${base}/docs/json`);
    expect(docs.status).toBe(200);
    expect(((await docs.json()) as { openapi: string }).openapi).toMatch(/^3\./);
    const ui = await fetch(`${base}/docs/static/index.html`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');

    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('shut down cleanly');
    // the start-up timings `pnpm bench:restart` reads
    expect(out).toMatch(/"startup":\{"processStartMs":[\d.]+,"databaseStartMs"/);
  }, 120_000);
});
