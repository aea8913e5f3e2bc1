/**
 * Serves the built web UI (apps/web/dist) at `/` with @fastify/static.
 *
 * - Files of the build are served as they are; hashed files under /assets/ are cached for a
 *   year (their names change with their content), everything else (index.html) is revalidated.
 * - Any other GET/HEAD path asked for by a browser (Accept: text/html) is a client-side route
 *   of the single-page app: it gets index.html; other clients get the API's 404. Except under
 *   the reserved prefixes (/api, /ws, /docs, /metrics, /health, /ready), which keep
 *   their meaning: there an unknown path is the API's 404 `{ error: { code: 'NOT_FOUND' } }`.
 * - Without a build (dist/index.html missing) nothing is registered and a warning is logged:
 *   `pnpm start` builds the UI first (scripts/ensure-web-build.mjs at the repository root).
 *
 * The UI needs no relaxation of the Content-Security-Policy: the build has no inline script.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { ApiError } from '@prediction-markets/shared';

/** Default location of the build: apps/web/dist beside this package. */
export const WEB_DIST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/** Path prefixes that belong to the service, never to the UI's client-side routes. */
export const RESERVED_PREFIXES = ['/api', '/ws', '/docs', '/metrics', '/health', '/ready'] as const;

/** True when `urlPath` is one of the reserved prefixes or below one. */
export function isReservedPath(urlPath: string): boolean {
  return RESERVED_PREFIXES.some((p) => urlPath === p || urlPath.startsWith(`${p}/`) || urlPath.startsWith(`${p}?`));
}

export interface WebAppOptions {
  /** Directory of the build (default WEB_DIST_DIR). */
  root?: string;
}

/** Register the UI routes on `app` (see the module comment). Returns false when there is no build. */
export async function registerWebApp(app: FastifyInstance, opts: WebAppOptions = {}): Promise<boolean> {
  const root = opts.root ?? WEB_DIST_DIR;
  if (!existsSync(path.join(root, 'index.html'))) {
    app.log.warn({ root }, 'web UI build not found: / is not served (run `pnpm --filter @prediction-markets/web build`)');
    return false;
  }
  const maxParamLength = app.initialConfig.maxParamLength ?? 100;
  await app.register(fastifyStatic, {
    root,
    serve: false,
    // The decorator reply.sendFile is all we use; caching is set per file below.
    cacheControl: false,
  });
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const rawPath = req.url.split('?')[0] ?? '/';
    const urlPath = decodeURIComponentSafe(rawPath);
    if (urlPath === null || isReservedPath(urlPath)) {
      // Without this catch-all, the router answers an over-long path parameter with 400 itself;
      // the catch-all would otherwise turn it into a 404.
      if (rawPath.split('/').some((seg) => seg.length > maxParamLength)) throw new ApiError('BAD_REQUEST', `a path parameter is longer than ${maxParamLength} characters`);
      return reply.callNotFound();
    }
    const rel = path.normalize(urlPath).replace(/^([/\\])+/, '');
    const file = path.join(root, rel);
    if (rel !== '' && file.startsWith(root + path.sep) && isFile(file)) {
      const immutable = rel.startsWith(`assets${path.sep}`);
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.sendFile(rel);
    }
    // A missing hashed asset is a real 404 (an old tab after a deploy), not the app shell; and
    // only browsers navigating (Accept: text/html) get the app shell for an unknown path.
    if (rel.startsWith(`assets${path.sep}`) || (rel !== '' && !acceptsHtml(req.headers.accept))) return reply.callNotFound();
    reply.header('cache-control', 'no-cache');
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  };
  app.route({ method: ['GET', 'HEAD'], url: '/', handler, schema: { hide: true } });
  app.route({ method: ['GET', 'HEAD'], url: '/*', handler, schema: { hide: true } });
  // The hashed files on their own route: the rate limits leave them out (plugins/rate-limit.ts).
  app.route({ method: ['GET', 'HEAD'], url: '/assets/*', handler, schema: { hide: true } });
  return true;
}

function acceptsHtml(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/html');
}

function decodeURIComponentSafe(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
