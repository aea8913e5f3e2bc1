#!/usr/bin/env node
// `pnpm dev`: the backend (embedded defaults, port 8080 unless PORT is set) and the Vite dev
// server with hot reload on http://localhost:5173, which proxies /api and /ws to the backend.
// Ctrl-C stops both.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(webDir, '../..');
const port = process.env.PORT ?? '8080';
const children = [
  spawn('pnpm', ['--filter', '@prediction-markets/backend', 'dev'], { cwd: repo, stdio: 'inherit', env: { ...process.env, PORT: port } }),
  spawn('pnpm', ['exec', 'vite'], { cwd: webDir, stdio: 'inherit', env: { ...process.env, BACKEND_URL: `http://localhost:${port}` } }),
];
let stopping = false;
const stop = (code) => {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGINT');
  setTimeout(() => process.exit(code), 5000).unref();
};
for (const c of children) c.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
