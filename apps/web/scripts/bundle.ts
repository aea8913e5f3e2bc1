// What the browser loads first: the scripts of dist/index.html and everything they import
// statically (not the lazy chunks), with gzipped sizes; and the engine-code markers.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = path.join(webDir, 'dist');

/** The initial JavaScript files (paths relative to dist) and their gzipped sizes in bytes. */
export function initialJs(): { file: string; gzipBytes: number }[] {
  const html = readFileSync(path.join(distDir, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/<script[^>]*type="module"[^>]*src="\/([^"]+)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g)].map((m) => m[1]!);
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const f = queue.shift()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const code = readFileSync(path.join(distDir, f), 'utf8');
    // Static imports only: `import ... from "./x.js"` and `import "./x.js"`; import() is lazy.
    for (const m of code.matchAll(/(?:^|[;}\n])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g)) {
      queue.push(path.posix.join(path.posix.dirname(f), m[1]!));
    }
  }
  return [...seen].map((f) => ({ file: f, gzipBytes: gzipSync(readFileSync(path.join(distDir, f))).length }));
}

/** Every JS file of the build. */
export function allJs(): string[] {
  const dir = path.join(distDir, 'assets');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => path.join('assets', f)) : [];
}

/**
 * Strings that exist only in the matching engine's source (long string literals of
 * packages/matching-engine/src that appear nowhere in the packages the UI bundles): if one of
 * them is in the bundle, engine code is in it.
 */
export function engineMarkers(): string[] {
  const repo = path.resolve(webDir, '../..');
  const engineDir = path.join(repo, 'packages/matching-engine/src');
  const readAll = (dir: string): string => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n') : '');
  const others = [readAll(path.join(repo, 'packages/shared/src')), readAll(path.join(repo, 'packages/shared/src/schemas')), readAll(path.join(repo, 'packages/client/src')), readAll(path.join(webDir, 'src'))].join('\n');
  const markers = new Set<string>();
  for (const m of readAll(engineDir).matchAll(/'([^'\\\n$]{24,})'/g)) {
    const s = m[1]!;
    if (!others.includes(s)) markers.add(s);
  }
  return [...markers];
}
