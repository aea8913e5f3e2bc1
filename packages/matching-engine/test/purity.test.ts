/**
 * Purity of the engine, enforced mechanically over the package's src/ sources (issue 2:
 * "No IO, no Date.now, no Math.random, no floating point ... Enforce it mechanically").
 *
 * Each source is first reduced to its code: comments are removed (docstrings may mention
 * Date.now or 0.5) and the text of string and template literals is blanked (messages may say
 * "1..99"), keeping `${...}` expressions, which are code. Then:
 * - imports: only relative `./x.ts` files of src/ (no node:*, fs, net, fastify, socket.io,
 *   prisma, ...), no dynamic import() or require();
 * - no clocks, randomness, timers, process or console: Date, performance, Math.random,
 *   process, setTimeout, setInterval, setImmediate, queueMicrotask, console, globalThis,
 *   fetch, crypto;
 * - no float parsing or formatting: parseFloat, toFixed, toPrecision;
 * - no float literals: a number literal with a decimal point or an exponent.
 * Every check is shown to fail on a bad snippet, and to ignore comments and strings.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC_DIR = fileURLToPath(new URL('../src/', import.meta.url));

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listSources(path));
    else if (/\.(ts|tsx|js|mjs|cjs|mts|cts)$/.test(name)) out.push(path);
  }
  return out.sort();
}

/** Characters after which a `/` starts a regular expression literal rather than a division. */
const REGEX_PRECEDERS = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const REGEX_KEYWORDS = /\b(return|typeof|case|do|else|in|of|new|delete|void|throw|instanceof|yield|await)\s*$/;

/**
 * Split TypeScript source into `code` (comments replaced by spaces, literals kept) and `bare`
 * (additionally the text of string, template and regex literals blanked, quotes and `${...}`
 * expressions kept). Both keep every offset and newline of the original.
 */
function stripSource(src: string): { code: string; bare: string } {
  const code: string[] = [];
  const bare: string[] = [];
  const keep = (c: string): void => {
    code.push(c);
    bare.push(c);
  };
  const blank = (c: string, inCode: boolean): void => {
    const sp = c === '\n' ? '\n' : ' ';
    code.push(inCode ? c : sp);
    bare.push(sp);
  };
  /** Template nesting: each entry counts the open braces of one `${` expression. */
  const templates: number[] = [];
  let i = 0;
  const n = src.length;
  const lastSignificant = (): string => {
    for (let j = bare.length - 1; j >= 0; j--) {
      const c = bare[j]!;
      if (c.trim() !== '') return c;
    }
    return '';
  };
  const readTemplateText = (): void => {
    // at the character after ` or after the } closing a ${...}; stops after ` or ${
    while (i < n) {
      const c = src[i]!;
      if (c === '\\') {
        blank(c, true);
        if (i + 1 < n) blank(src[i + 1]!, true);
        i += 2;
      } else if (c === '`') {
        keep(c);
        i++;
        return;
      } else if (c === '$' && src[i + 1] === '{') {
        keep('$');
        keep('{');
        i += 2;
        templates.push(0);
        return;
      } else {
        blank(c, true);
        i++;
      }
    }
  };
  while (i < n) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < n && src[i] !== '\n') {
        blank(src[i]!, false);
        i++;
      }
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      while (i < stop) {
        blank(src[i]!, false);
        i++;
      }
    } else if (c === "'" || c === '"') {
      keep(c);
      i++;
      while (i < n && src[i] !== c && src[i] !== '\n') {
        if (src[i] === '\\' && i + 1 < n) {
          blank(src[i]!, true);
          i++;
        }
        blank(src[i]!, true);
        i++;
      }
      if (i < n) {
        keep(src[i]!);
        i++;
      }
    } else if (c === '`') {
      keep(c);
      i++;
      readTemplateText();
    } else if (c === '{' && templates.length > 0) {
      templates[templates.length - 1]!++;
      keep(c);
      i++;
    } else if (c === '}' && templates.length > 0 && templates[templates.length - 1] === 0) {
      templates.pop();
      keep(c);
      i++;
      readTemplateText();
    } else if (c === '}' && templates.length > 0) {
      templates[templates.length - 1]!--;
      keep(c);
      i++;
    } else if (c === '/' && (REGEX_PRECEDERS.has(lastSignificant()) || REGEX_KEYWORDS.test(bare.join('').slice(-20)))) {
      // a regular expression literal: blank its body up to the closing / (outside a [...] class), keep the flags
      keep(c);
      i++;
      let inClass = false;
      while (i < n && src[i] !== '\n') {
        const d = src[i]!;
        if (d === '\\' && i + 1 < n) {
          blank(d, true);
          blank(src[i + 1]!, true);
          i += 2;
          continue;
        }
        if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        blank(d, true);
        i++;
      }
      if (i < n && src[i] === '/') {
        keep('/');
        i++;
      }
    } else {
      keep(c);
      i++;
    }
  }
  return { code: code.join(''), bare: bare.join('') };
}

interface Violation {
  line: number;
  rule: string;
  text: string;
}

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

const FORBIDDEN: [string, RegExp][] = [
  ['clock: Date (Date.now, new Date)', /\bDate\b/g],
  ['clock: performance.now', /\bperformance\b/g],
  ['randomness: Math.random', /\bMath\s*\.\s*random\b/g],
  ['process', /\bprocess\b/g],
  ['timer: setTimeout', /\bsetTimeout\b/g],
  ['timer: setInterval', /\bsetInterval\b/g],
  ['timer: setImmediate', /\bsetImmediate\b/g],
  ['timer: queueMicrotask', /\bqueueMicrotask\b/g],
  ['console', /\bconsole\b/g],
  ['globalThis', /\bglobalThis\b/g],
  ['IO: fetch', /\bfetch\b/g],
  ['randomness: crypto', /\bcrypto\b/g],
  ['float: parseFloat', /\bparseFloat\b/g],
  ['float: toFixed', /\btoFixed\b/g],
  ['float: toPrecision', /\btoPrecision\b/g],
  ['dynamic import()', /\bimport\s*\(/g],
  ['require()', /\brequire\s*\(/g],
];

/** A decimal number literal with a fraction or an exponent (hex, octal, binary and bigint literals are integers). */
const FLOAT_LITERAL = /(?<![\w$.])(?:\d[\d_]*\.\d[\d_]*(?:[eE][+-]?\d[\d_]*)?|\d[\d_]*\.(?![\d.\w$])|\.\d[\d_]*(?:[eE][+-]?\d[\d_]*)?|\d[\d_]*[eE][+-]?\d[\d_]*)(?![\w$])/g;

/** Check one source text; `known` are the file names of src/ an import may name. */
function checkPurity(src: string, known: ReadonlySet<string>): Violation[] {
  const { code, bare } = stripSource(src);
  const out: Violation[] = [];
  for (const [rule, re] of FORBIDDEN) {
    for (const m of bare.matchAll(re)) out.push({ line: lineOf(bare, m.index), rule, text: m[0] });
  }
  for (const m of bare.matchAll(FLOAT_LITERAL)) out.push({ line: lineOf(bare, m.index), rule: 'float literal', text: m[0] });
  // import/export ... from '<spec>' and side-effect import '<spec>': find the keyword in bare, read the literal in code
  for (const m of bare.matchAll(/\b(?:from|import)\s*(['"])/g)) {
    const quoteAt = m.index + m[0].length - 1;
    const close = code.indexOf(m[1]!, quoteAt + 1);
    const spec = code.slice(quoteAt + 1, close);
    const file = spec.startsWith('./') ? spec.slice(2) : '';
    if (file === '' || file.includes('/') || !file.endsWith('.ts') || !known.has(file)) {
      out.push({ line: lineOf(code, quoteAt), rule: 'import of something other than a ./ file of src/', text: spec });
    }
  }
  return out;
}

describe('purity of src/', () => {
  const files = listSources(SRC_DIR);
  const known = new Set(files.map((f) => relative(SRC_DIR, f)));

  it('finds the engine sources', () => {
    expect([...known]).toEqual(expect.arrayContaining(['engine.ts', 'types.ts', 'codes.ts', 'book.ts', 'order-store.ts', 'time-heap.ts', 'hash.ts', 'index.ts']));
  });

  it.each(files.map((f) => [relative(SRC_DIR, f), f]))('%s: relative imports only, no clock, randomness, timers, IO, console or floats', (_name, file) => {
    const violations = checkPurity(readFileSync(file, 'utf8'), known);
    expect(violations).toEqual([]);
  });
});

describe('the purity checker itself', () => {
  const known = new Set(['engine.ts', 'types.ts']);
  const rules = (src: string): string[] => checkPurity(src, known).map((v) => v.rule);

  it.each([
    ["import { readFileSync } from 'node:fs';", 'import of something other than a ./ file of src/'],
    ["import fs from 'fs';", 'import of something other than a ./ file of src/'],
    ["import Fastify from \"fastify\";", 'import of something other than a ./ file of src/'],
    ["import { Server } from 'socket.io';", 'import of something other than a ./ file of src/'],
    ["import { PrismaClient } from '@prisma/client';", 'import of something other than a ./ file of src/'],
    ["import { x } from '../outside.ts';", 'import of something other than a ./ file of src/'],
    ["import { x } from './missing.ts';", 'import of something other than a ./ file of src/'],
    ["import './engine.js';", 'import of something other than a ./ file of src/'],
    ["export * from 'net';", 'import of something other than a ./ file of src/'],
    ["export {\n  a,\n} from 'net';", 'import of something other than a ./ file of src/'],
    ["const m = await import('./engine.ts');", 'dynamic import()'],
    ["const fs = require('fs');", 'require()'],
    ['const t = Date.now();', 'clock: Date (Date.now, new Date)'],
    ['const d = new Date();', 'clock: Date (Date.now, new Date)'],
    ['const t = performance.now();', 'clock: performance.now'],
    ['const r = Math.random();', 'randomness: Math.random'],
    ['const r = Math . random();', 'randomness: Math.random'],
    ['if (process.env.X) {}', 'process'],
    ['setTimeout(() => {}, 1);', 'timer: setTimeout'],
    ['setInterval(tick, 100);', 'timer: setInterval'],
    ["console.log('x');", 'console'],
    ['const v = parseFloat(s);', 'float: parseFloat'],
    ['const s = x.toFixed(2);', 'float: toFixed'],
    ['const half = 0.5;', 'float literal'],
    ['const p = 1.;', 'float literal'],
    ['const p = .25;', 'float literal'],
    ['const big = 1e9;', 'float literal'],
    ['const big = 2E-3;', 'float literal'],
    ['const big = 1_000.5;', 'float literal'],
    ['const t = `${0.5}`;', 'float literal'],
    ['const t = `a ${`b ${Date.now()}`} c`;', 'clock: Date (Date.now, new Date)'],
  ])('flags %s', (snippet, rule) => {
    expect(rules(snippet)).toContain(rule);
  });

  it.each([
    ["import { a } from './engine.ts';\nimport type { B } from './types.ts';\nexport * from './types.ts';"],
    ['// Date.now() and Math.random() and 0.5 are fine in a comment'],
    ['/** Never call performance.now(), setTimeout or console.log; 1.5 is a float. */'],
    ["const msg = 'price must be 1..99 cents, not 0.5; see Date.now and process';"],
    ['const msg = "from \'fs\' import 1e9";'],
    ['const t = `between 0.5 and ${limit} (Date.now)`;'],
    ['const re = /\\d+\\.\\d+ Date/.test(s);'],
    ['const hex = 0xcbf29ce4 + 0x1b3 + 0o17 + 0b101 + 10n + 1_000_000;'],
    ['const x = a.b.c[0] / 2 / 3;'],
    ['const n = Number.MAX_SAFE_INTEGER; const arr = new Float64Array(4); obj.toFixedPoint = 1;'],
    ['const processes = 2; const dated = 3; const consoleish = 4;'],
  ])('passes %s', (snippet) => {
    expect(checkPurity(snippet, known)).toEqual([]);
  });

  it('strips comments and literals but keeps every offset', () => {
    const src = "const a = 'x // y'; // tail\nconst b = `t ${c /* k */} u`; /* b\nc */ const d = /re/g;";
    const { code, bare } = stripSource(src);
    expect(code.length).toBe(src.length);
    expect(bare.length).toBe(src.length);
    expect(code.split('\n').length).toBe(src.split('\n').length);
    expect(code).toContain("'x // y'");
    expect(code).not.toContain('tail');
    expect(bare).not.toContain('x // y');
    expect(bare).toContain('${c ');
    expect(bare).not.toContain('re/');
    expect(bare).toContain('const d = /');
  });
});
