import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from 'vite';
import { allJs, distDir, engineMarkers, initialJs } from '../scripts/bundle.ts';
import { readFileSync } from 'node:fs';

// The production build (made by `node scripts/ensure-build.mjs` before vitest runs).
describe('production bundle', () => {
  it('exists, and its initial JavaScript is measured (printed)', () => {
    expect(existsSync(path.join(distDir, 'index.html'))).toBe(true);
    const files = initialJs();
    expect(files.length).toBeGreaterThan(0);
    const kb = files.reduce((s, f) => s + f.gzipBytes, 0) / 1024;
    console.log(`initial JavaScript: ${kb.toFixed(1)} KB gzipped in ${files.length} files`);
  });

  it('contains no matching-engine code', () => {
    const markers = engineMarkers();
    expect(markers.length).toBeGreaterThanOrEqual(5);
    for (const f of allJs()) {
      const code = readFileSync(path.join(distDir, f), 'utf8');
      expect(markers.filter((m) => code.includes(m)), f).toEqual([]);
    }
  });

  it('the engine check finds engine code when it is bundled (the check can fail)', async () => {
    const out = await build({
      configFile: false,
      logLevel: 'silent',
      build: { write: false, minify: true, lib: { entry: path.resolve(import.meta.dirname, 'fixtures/with-engine.ts'), formats: ['es'], fileName: 'x' } },
    });
    const outputs = (Array.isArray(out) ? out : [out]) as { output: { type: string; code?: string }[] }[];
    const code = outputs.flatMap((o) => o.output).map((c) => c.code ?? '').join('\n');
    const hits = engineMarkers().filter((m) => code.includes(m));
    expect(hits.length).toBeGreaterThan(0);
  }, 60_000);
});
