/**
 * @prediction-markets/house-maker: the LMSR house market maker (src/maker.ts) and its pure
 * arithmetic (src/lmsr.ts, src/quotes.ts). Run it with `pnpm maker --url URL --token TOKEN`
 * (src/cli.ts) or in-process with `new HouseMaker({...}).start()`.
 */
export * from './lmsr.ts';
export * from './quotes.ts';
export { HouseMaker, type HouseFill, type HouseMakerOptions, type MakerMarketConfig, type MakerMarketState, type RequoteInfo } from './maker.ts';
export { createMakerMetrics, type MakerMetrics } from './metrics.ts';
