// /.env.example documents every variable of src/env.ts, and its uncommented defaults are the
// schema's own (the file parses as a valid environment equal to the empty one).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EnvSchema, loadEnv } from '../src/env.ts';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../.env.example');
const text = readFileSync(file, 'utf8');

describe('production: .env.example', () => {
  it('lists every variable of the schema, and nothing else', () => {
    const listed = new Set([...text.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
    const keys = Object.keys(EnvSchema.shape);
    expect(keys.filter((k) => !listed.has(k))).toEqual([]);
    expect([...listed].filter((k) => !keys.includes(k))).toEqual([]);
  });

  it('its active lines are the defaults', () => {
    const active: Record<string, string> = {};
    for (const m of text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)) active[m[1]!] = m[2]!;
    expect(loadEnv(active)).toEqual(loadEnv({}));
  });
});
