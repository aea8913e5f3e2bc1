/**
 * The OpenAPI 3 document, generated from the same zod schemas the routes validate with
 * (@fastify/swagger + fastify-type-provider-zod's JSON-schema transform), and its UI:
 *
 *   GET /docs        Swagger UI
 *   GET /docs/json   the document (OpenAPI 3.0.3, JSON)      GET /docs/yaml   the same, YAML
 *
 * Must be registered BEFORE the routes (it collects them as they are added). Every route
 * is documented with its error responses: besides those a route declares, each gets the
 * statuses that the shared edge can answer with (400 on input, 413/415 on bodies, 429 where
 * rate limited, 500, 503). Every error response's description lists the error codes of the
 * API_ERRORS catalogue with that status, and its `error.code` is an enum of them.
 * Authentication: the `bearer` scheme (`Authorization: Bearer <accessToken>`); browsers
 * may use the HTTP-only session cookie instead.
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import swagger, { type SwaggerTransform } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';
import { API_ERRORS, schemas, type ApiErrorCode } from '@prediction-markets/shared';
import { RATE_LIMIT_EXEMPT } from './rate-limit.ts';

/** Where the UI and the document are served. */
export const DOCS_PREFIX = '/docs';
const DOCS_ROUTES = ['', '/', '/json', '/yaml', '/initOAuth', '/uiConfig', '/*', '/static/*'].map((s) => `${DOCS_PREFIX}${s}`);

/** Catalogue codes answered with HTTP `status`, in catalogue order. */
export function errorCodesFor(status: number): ApiErrorCode[] {
  return (Object.keys(API_ERRORS) as ApiErrorCode[]).filter((c) => API_ERRORS[c].status === status);
}

/** Markdown description of an error response: the shape, then each code with its meaning. */
export function describeErrorResponse(status: number): string {
  const lines = errorCodesFor(status).map((c) => `- \`${c}\`: ${API_ERRORS[c].description}`);
  return [`Error \`{ "error": { "code", "message" } }\`. Codes with HTTP ${status}:`, ...lines].join('\n');
}

function isRateLimited(url: string): boolean {
  return !RATE_LIMIT_EXEMPT.some((p) => (p.endsWith('*') ? url.startsWith(p.slice(0, -1)) : url === p));
}

/** The error statuses every route can answer besides its own (see the module comment). */
function edgeErrorStatuses(schema: FastifySchema, url: string): number[] {
  const out = [500, 503];
  if (schema.body !== undefined || schema.querystring !== undefined || schema.params !== undefined) out.push(400);
  if (schema.body !== undefined) out.push(413, 415);
  if (isRateLimited(url)) out.push(429);
  return out;
}

type JsonObject = Record<string, any>;

/** `/api/markets/` -> `/api/markets` (the root `/` stays). */
export function canonicalPath(url: string): string {
  return url.length > 1 ? url.replace(/\/+$/, '') : url;
}

/** Route transform: add the edge error responses, convert zod to JSON schema, document the codes. */
export function openApiTransform(): SwaggerTransform {
  const toJson = createJsonSchemaTransform({ skipList: DOCS_ROUTES });
  return (doc) => {
    const { schema, url } = doc;
    if (schema === undefined || schema === null || (schema as { hide?: boolean }).hide === true || DOCS_ROUTES.includes(url)) return toJson(doc as never);
    const response: Record<string, unknown> = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
    for (const status of edgeErrorStatuses(schema, url)) response[String(status)] ??= schemas.ErrorBody;
    const out = toJson({ ...doc, schema: { ...schema, response } } as never);
    const res = (out.schema as { response?: Record<string, JsonObject> }).response ?? {};
    for (const [key, json] of Object.entries(res)) {
      const status = Number(key);
      if (!(status >= 400) || typeof json !== 'object' || json === null) continue;
      const codeSchema = json.properties?.error?.properties?.code as JsonObject | undefined;
      if (codeSchema === undefined) continue; // not the error shape (e.g. /ready's 503 body)
      const codes = errorCodesFor(status);
      if (codes.length > 0) codeSchema.enum = codes;
      json.description = describeErrorResponse(status);
      if (status === 429) json.headers = { 'retry-after': { type: 'integer', minimum: 1, description: 'Seconds to wait before retrying.' } };
    }
    // A prefix's root route is served as both `/api/markets` and `/api/markets/`; document one.
    return { ...out, url: canonicalPath(url) };
  };
}

/** A route as registered in the app (one entry per method). */
export interface RegisteredRoute {
  method: string;
  url: string;
  /** Hidden from the document (`schema.hide`: the docs' own routes, CORS preflight). */
  hidden: boolean;
  /** The query-string keys its schema declares (none: []). */
  query: string[];
}

const routeTables = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/**
 * Every route added to `app` after registerOpenApi (i.e. all of them), HEAD routes that
 * Fastify adds for GETs excluded. For checks that the document covers the whole API.
 */
export function registeredRoutes(app: FastifyInstance): RegisteredRoute[] {
  return [...(routeTables.get(app) ?? [])];
}

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  const table: RegisteredRoute[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (route) => {
    const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true;
    const qs = (route.schema as { querystring?: { shape?: Record<string, unknown> } } | undefined)?.querystring;
    const query = qs?.shape === undefined ? [] : Object.keys(qs.shape);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') table.push({ method, url: route.url, hidden, query });
    }
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Prediction-markets exchange API',
        version: '0.1.0',
        description: [
          'A central limit order book for binary prediction markets (play-money points).',
          'Prices are integer cents 1..99 of a 100-cent payout; quantities are integer shares; money is integer cents.',
          'Every error is `{ "error": { "code", "message" } }`; codes are listed on each error response.',
          'Authenticate with `Authorization: Bearer <accessToken>` (from /api/auth/login) or the HTTP-only session cookie.',
          'Responses carry `x-request-id` (an incoming well-formed `x-request-id` is kept).',
        ].join('\n\n'),
      },
      tags: [
        { name: 'auth', description: 'Accounts and sessions' },
        { name: 'markets', description: 'Markets and their lifecycle' },
        { name: 'orders', description: 'Trading, order books and trades' },
        { name: 'user', description: "The caller's balance, positions and history" },
        { name: 'admin', description: 'Grants, reconciliation, audit log (admins)' },
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'operations', description: 'Metrics' },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access token from /api/auth/login, /register or /refresh.' },
        },
      },
    },
    transform: openApiTransform(),
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: true, uiConfig: { deepLinking: true } });
}
