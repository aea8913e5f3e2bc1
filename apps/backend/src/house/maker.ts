/**
 * The house maker inside the server process (`pnpm start`; HOUSE_MAKER=off leaves it out): an
 * ordinary socket client of the server's own URL, signed in as the HOUSE user, quoting every
 * market whose settings are enabled (src/house/commands.ts). Settings are re-read every
 * `pollMs`; when the enabled set or a setting changes, the maker cancels its orders and starts
 * again with the new settings. On the zero-setup demo, the demo markets are enabled the first
 * time (b = 100, band 1..99, from their mid price).
 */
import type { Logger } from 'pino';
import { PmClient } from '@prediction-markets/client';
import { HouseMaker, type MakerMarketConfig } from '@prediction-markets/house-maker';
import type { AppContext } from '../context.ts';
import { issueTokens } from '../auth/tokens.ts';
import { userByEmail } from '../auth/queries.ts';
import { configureHouse, ensureHouseUser } from './commands.ts';
import { houseConfigs } from './queries.ts';

export interface RunningHouse {
  /** Cancel every house order and disconnect. */
  stop(): Promise<void>;
  /** The running maker (null while no market is enabled). */
  readonly maker: HouseMaker | null;
}

export interface StartHouseOptions {
  /** The zero-setup demo: enable the house on every OPEN market never configured before. */
  demo?: boolean;
  pollMs?: number;
  logger?: Logger;
}

export async function startHouseMaker(ctx: AppContext, url: string, opts: StartHouseOptions = {}): Promise<RunningHouse> {
  const log = (opts.logger ?? ctx.logger).child({ component: 'house-maker' });
  const houseId = await ensureHouseUser(ctx);
  if (opts.demo === true) {
    const known = await houseConfigs(ctx.prisma);
    const open = await ctx.prisma.market.findMany({ where: { status: 'OPEN' }, select: { slug: true } });
    const adminId = ctx.env.ADMIN_EMAIL === undefined ? null : ((await userByEmail(ctx.prisma, ctx.env.ADMIN_EMAIL.toLowerCase()))?.id ?? null);
    for (const { slug } of open) {
      const id = await ctx.markets.idOf(slug).catch(() => null);
      if (id === null || known.has(id)) continue;
      await configureHouse(ctx, adminId, slug, { enabled: true, b: 100, pMinCents: 1, pMaxCents: 99 });
      log.info({ market: slug }, 'house maker enabled on a demo market');
    }
  }
  const tokens = await issueTokens(ctx.prisma, houseId, 'USER', ctx.tokens);
  const client = new PmClient({ baseUrl: url, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
  let maker: HouseMaker | null = null;
  let signature = '';
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();

  const sync = async (): Promise<void> => {
    const configs = [...(await houseConfigs(ctx.prisma)).values()].filter((c) => c.enabled);
    const markets: MakerMarketConfig[] = [];
    for (const c of configs) {
      const m = await ctx.prisma.market.findUnique({ where: { id: c.marketId }, select: { slug: true, status: true } });
      if (m === null || m.status === 'RESOLVED' || m.status === 'CANCELLED') continue;
      markets.push({ slug: m.slug, b: c.b, p0Cents: c.p0Cents, pMinCents: c.pMinCents, pMaxCents: c.pMaxCents });
    }
    const sig = JSON.stringify(markets);
    if (sig === signature || stopped) return;
    signature = sig;
    if (maker !== null) await maker.stop();
    maker = null;
    if (markets.length === 0) return;
    const next = new HouseMaker({ client, markets, logger: log, cancelOnDisconnectMs: 5000 });
    const r = await next.start();
    if (!r.ok) {
      log.error({ error: r.error }, 'house maker did not start');
      signature = ''; // try again at the next poll
      await next.stop();
      return;
    }
    maker = next;
  };
  const tick = (): void => {
    busy = busy.then(sync).catch((err: unknown) => log.error({ err }, 'house maker sync failed'));
  };
  tick();
  await busy;
  const timer = setInterval(tick, opts.pollMs ?? 2000);
  timer.unref();
  return {
    get maker() {
      return maker;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await busy;
      if (maker !== null) await maker.stop();
      maker = null;
      client.close();
    },
  };
}
