// Applies the committed migrations (../../../../prisma/migrations) at start-up: runs the Prisma
// CLI's `migrate deploy` as a child process, set up by ../../scripts/db/prisma-cli.mjs with this
// project's fixes (prisma.config.ts for the Wasm schema engine, unref'd timers so it exits at once).
// About 1 s on an up-to-date database. Concurrent deploys are serialised by Prisma's advisory lock.
import { spawn } from 'node:child_process';
import { prismaCommand } from '../../scripts/db/prisma-cli.mjs';

export interface MigrateDeployOptions {
  /** Print Prisma's output (default: only on failure). */
  verbose?: boolean;
  /** Kill the CLI after this long (default 120 s). */
  timeoutMs?: number;
}

export async function migrateDeploy(databaseUrl: string, opts: MigrateDeployOptions = {}): Promise<void> {
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
