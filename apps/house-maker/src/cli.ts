/**
 * `pnpm maker --url URL --token TOKEN [options]`: run the LMSR house maker against any server.
 * Every setting is checked before anything is placed; a bad one prints a clear message and
 * exits with status 2. SIGTERM / SIGINT cancel every house order, then exit.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { PmClient } from '@prediction-markets/client';
import { checkParams } from './lmsr.ts';
import { HouseMaker, type MakerMarketConfig } from './maker.ts';
import { createMakerMetrics } from './metrics.ts';

const USAGE = `usage: pnpm maker --url URL (--token ACCESS_TOKEN [--refresh-token TOKEN] | --email EMAIL --password PASSWORD) [options]

  --url URL                    the exchange, e.g. http://localhost:8080
  --token TOKEN                access token of the house account (Authorization: Bearer)
  --refresh-token TOKEN        lets the maker renew the access token by itself
  --email E --password P       sign in instead of --token (renews by itself)
  --markets a,b,c              market slugs to quote (default: every OPEN market)
  --b SHARES                   LMSR liquidity b (default 100)
  --band MIN-MAX               price band in YES cents (default 1-99)
  --p0 CENTS                   the YES price the house starts from (default 50)
  --loss-limit CENTS           kill switch: worst-case P&L below -CENTS (default none)
  --max-commands-per-minute N  kill switch: order-rate limit (default 6000)
  --metrics-port PORT          serve Prometheus metrics on http://0.0.0.0:PORT/metrics
  --log-level LEVEL            pino level (default info)`;

function die(message: string): never {
  process.stderr.write(`house-maker: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function intArg(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n)) die(`--${name} must be an integer (got "${v}")`);
  return n;
}

async function main(): Promise<void> {
  let a;
  try {
    a = parseArgs({
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        'refresh-token': { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        markets: { type: 'string' },
        b: { type: 'string' },
        band: { type: 'string' },
        p0: { type: 'string' },
        'loss-limit': { type: 'string' },
        'max-commands-per-minute': { type: 'string' },
        'metrics-port': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (err) {
    die((err as Error).message);
  }
  if (a.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (a.url === undefined) die('--url is required');
  try {
    const u = new URL(a.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    die(`--url must be an http(s) URL (got "${a.url}")`);
  }
  if (a.token === undefined && (a.email === undefined || a.password === undefined)) die('give --token, or --email and --password');
  const b = a.b === undefined ? 100 : Number(a.b);
  const band = /^(\d+)-(\d+)$/.exec(a.band ?? '1-99');
  if (band === null) die(`--band must look like 5-95 (got "${a.band}")`);
  const p0 = intArg('p0', a.p0, 50);
  const pMin = Number(band[1]);
  const pMax = Number(band[2]);
  const problem = checkParams({ b, p0Cents: p0, pMinCents: pMin, pMaxCents: pMax, tickCents: 1 });
  if (problem !== null) die(`${problem.code}: ${problem.message}`);
  const lossLimit = a['loss-limit'] === undefined ? undefined : intArg('loss-limit', a['loss-limit'], 0);
  const maxCmd = intArg('max-commands-per-minute', a['max-commands-per-minute'], 6000);
  const logger = pino({ level: a['log-level'] ?? 'info', base: { component: 'house-maker' } });

  const client = new PmClient({ baseUrl: a.url, ...(a.token === undefined ? {} : { accessToken: a.token }), ...(a['refresh-token'] === undefined ? {} : { refreshToken: a['refresh-token'] }) });
  if (a.token === undefined) {
    const r = await client.login({ email: a.email!, password: a.password! });
    if (!r.ok) die(`sign-in failed: ${r.error.code}: ${r.error.message}`);
  }
  const me = await client.me();
  if (!me.ok && (me.error.code === 'NETWORK_ERROR' || me.error.code === 'TIMEOUT')) die(`cannot reach ${a.url}: ${me.error.message}`);
  if (!me.ok) die(`the server refused the credentials: ${me.error.code}: ${me.error.message}`);
  let slugs: string[];
  if (a.markets !== undefined) {
    slugs = a.markets.split(',').map((s) => s.trim()).filter((s) => s !== '');
  } else {
    const list = await client.listMarkets({ status: 'OPEN', limit: 200 });
    if (!list.ok) die(`cannot list markets: ${list.error.code}: ${list.error.message}`);
    slugs = list.data.markets.map((m) => m.slug);
  }
  if (slugs.length === 0) die('no market to quote');
  const markets: MakerMarketConfig[] = slugs.map((slug) => ({ slug, b, p0Cents: p0, pMinCents: pMin, pMaxCents: pMax }));
  const metrics = createMakerMetrics();
  const maker = new HouseMaker({ client, markets, logger, metrics, maxCommandsPerMinute: maxCmd, ...(lossLimit === undefined ? {} : { lossLimitCents: lossLimit }) });
  const started = await maker.start();
  if (!started.ok) die(`${started.error.code}: ${started.error.message}`);
  logger.info({ user: me.data.email, markets: slugs }, 'quoting');

  let server: ReturnType<typeof createServer> | null = null;
  if (a['metrics-port'] !== undefined) {
    const port = intArg('metrics-port', a['metrics-port'], 9464);
    server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      void metrics.registry.metrics().then((body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body));
    }).listen(port);
  }
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down: cancelling every house order');
    void maker.stop().finally(() => {
      server?.close();
      client.close();
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

void main();
