/**
 * @prediction-markets/matching-engine: the pure, deterministic order-matching and escrow
 * engine for binary prediction markets. See README.md for the contract and docs/DESIGN.md
 * (at the repository root) for the mechanics it implements.
 */
export { MatchingEngine, MARKET_TRANSITIONS, mulDivFloor } from './engine.ts';
export { RejectCode, rejectCodeName, type RejectCodeName, type RejectCodeValue } from './codes.ts';
export { hashString } from './hash.ts';
export { EventCollector } from './collector.ts';
export * from './types.ts';
