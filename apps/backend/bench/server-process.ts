/**
 * The server process exactly as `pnpm start` runs it, for benchmarks that spawn the server: the
 * pre-built bundle (scripts/build.mjs, apps/backend/dist/server/index.mjs) under plain `node`,
 * with the backend as the working directory. `pnpm start` first builds the bundle when it is
 * missing or stale; `ensureServerBundle()` does the same here, before anything is timed.
 *
 *   await ensureServerBundle();
 *   const { command, args, cwd } = serverProcess();
 *   spawn(command, args, { cwd, env });
 *
 * `nodeOptions` (e.g. `['--cpu-prof']`) go before the bundle's path.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_FILE, ensureBundle } from '../scripts/build.mjs';

/** apps/backend, the server's working directory. */
export const BACKEND_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What to spawn: `node [nodeOptions] dist/server/index.mjs` in BACKEND_DIR. */
export function serverProcess(nodeOptions: string[] = []): { command: string; args: string[]; cwd: string } {
  return { command: process.execPath, args: [...nodeOptions, path.relative(BACKEND_DIR, BUNDLE_FILE)], cwd: BACKEND_DIR };
}

/**
 * The development command (`pnpm --filter @prediction-markets/backend dev`): the TypeScript
 * sources under tsx, transpiled at load. Only a reference for benchmarks (`bench:restart
 * --baseline`); the product runs `serverProcess()`.
 */
export function devServerProcess(nodeOptions: string[] = []): { command: string; args: string[]; cwd: string } {
  return { command: process.execPath, args: [...nodeOptions, '--import', 'tsx', 'src/server.ts'], cwd: BACKEND_DIR };
}

/** Build the bundle when missing or stale, as `pnpm start` does (progress to stderr). */
export async function ensureServerBundle(): Promise<void> {
  const what = await ensureBundle({ quiet: true });
  if (what === 'built') process.stderr.write('server bundle (re)built: apps/backend/dist/server/index.mjs\n');
}

/**
 * The environment every benchmark's server runs with (production mode, loopback, an ephemeral
 * port, no demo data, a bench admin, rate limits out of the way), over `process.env`, then
 * `overrides` (an `undefined` value removes a variable).
 */
export function benchServerEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    SEED_DEMO: 'false',
    ADMIN_EMAIL: 'admin@bench.local',
    ADMIN_PASSWORD: 'admin-bench-password',
    RATE_LIMIT_PUBLIC_POINTS: '100000000',
    RATE_LIMIT_TRADING_POINTS: '100000000',
    RATE_LIMIT_AUTH_POINTS: '100000000',
    ...overrides,
  };
}
