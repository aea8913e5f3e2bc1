#!/usr/bin/env node
// Runs the Prisma 6.19 CLI the way this project needs it (see docs/toolchain.md, "Prisma 6.19"):
//   - with apps/backend/prisma.config.ts (Wasm schema engine + @prisma/adapter-pg, fixes 1 and 2),
//   - with ./unref-timers.mjs preloaded (fix 3: exit promptly instead of idling ~10 s),
//   - with DATABASE_URL always set: the CLI parses `url = env("DATABASE_URL")` to find the
//     engine type and silently falls back to DOWNLOADING a native engine if that fails, so
//     `generate` (which never connects) gets a dummy URL when none is set,
//   - with telemetry and update checks off.
// Usage: node scripts/db/prisma-cli.mjs <prisma arguments...>   (exit code = Prisma's)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const backendDir = path.resolve(here, '../..');
export const prismaConfigPath = path.join(backendDir, 'prisma.config.ts');
export const unrefTimersPath = path.join(here, 'unref-timers.mjs');
export const prismaCliPath = createRequire(import.meta.url).resolve('prisma/build/index.js');
export const DUMMY_DATABASE_URL = 'postgresql://prisma:prisma@127.0.0.1:5432/prisma_generate';

/** argv and env for one Prisma CLI child process. */
export function prismaCommand(args, env = process.env) {
  const childEnv = { ...env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  if (!childEnv.DATABASE_URL) {
    if (args.length === 0 || args[0] === 'generate' || args[0] === 'validate' || args[0] === 'format' || args.includes('--help') || args.includes('-h') || args[0] === '--version' || args[0] === 'version') {
      childEnv.DATABASE_URL = DUMMY_DATABASE_URL;
    } else {
      throw new Error(`DATABASE_URL is not set (needed for "prisma ${args.join(' ')}")`);
    }
  }
  // Child processes the CLI may start get the preload too.
  const preload = `--import=${pathToFileURL(unrefTimersPath).href}`;
  childEnv.NODE_OPTIONS = [env.NODE_OPTIONS, preload].filter(Boolean).join(' ');
  const hasConfig = args.some((a) => a === '--config' || a.startsWith('--config='));
  // Always with our config: without it even `prisma --help` tries to download a native engine.
  const fullArgs = hasConfig ? args : [...args, '--config', prismaConfigPath];
  return { command: process.execPath, args: [prismaCliPath, ...fullArgs], env: childEnv, cwd: backendDir };
}

/** Runs the Prisma CLI; resolves with its exit code (stdio inherited unless `capture`). */
export function runPrisma(args, { env = process.env, capture = false } = {}) {
  const cmd = prismaCommand(args, env);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.command, cmd.args, {
      cwd: cmd.cwd,
      env: cmd.env,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { code } = await runPrisma(process.argv.slice(2));
    process.exitCode = code;
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
}
