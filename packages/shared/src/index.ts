/**
 * @prediction-markets/shared: the contract between the service, the web UI and bots.
 * Zod schemas (and their inferred types) for every REST body and response and socket
 * payload, the API error catalogue, and room/channel names.
 */
export * from './constants.ts';
export * from './errors.ts';
export * from './mirror.ts';
export * as schemas from './schemas/index.ts';
export { MarketFeed, type FeedMessage, type FeedState, type LocalLadder } from './market-feed.ts';
