#!/usr/bin/env node
// Lint the current package (or the paths given) with the shared config. Exit 1 on errors.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const eslint = new ESLint({
  cwd: repoRoot,
  overrideConfigFile: path.join(here, '..', 'eslint.config.mjs'),
  errorOnUnmatchedPattern: false,
});
const targets = process.argv.slice(2);
const results = await eslint.lintFiles(targets.length > 0 ? targets : [path.join(process.cwd(), '**/*.{ts,mts,mjs}')]);
const formatter = await eslint.loadFormatter('stylish');
const out = await formatter.format(results);
if (out) process.stdout.write(out);
const errors = results.reduce((n, r) => n + r.errorCount, 0);
process.exitCode = errors > 0 ? 1 : 0;
