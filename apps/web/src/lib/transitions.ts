/**
 * Market status changes an admin may make, as the engine allows them (MARKET_TRANSITIONS in
 * @prediction-markets/matching-engine; test/transitions.test.ts checks this copy against it,
 * since the browser bundle must not import the engine).
 */
export type MarketStatus = 'DRAFT' | 'OPEN' | 'HALTED' | 'CLOSED' | 'RESOLVED' | 'CANCELLED';

export const ALLOWED_TRANSITIONS: Readonly<Record<MarketStatus, readonly MarketStatus[]>> = {
  DRAFT: ['OPEN', 'CANCELLED'],
  OPEN: ['HALTED', 'CLOSED', 'RESOLVED', 'CANCELLED'],
  HALTED: ['OPEN', 'CLOSED', 'RESOLVED', 'CANCELLED'],
  CLOSED: ['RESOLVED', 'CANCELLED'],
  RESOLVED: [],
  CANCELLED: [],
};

/** The words on the button that makes a transition (from the current status). */
export function transitionLabel(from: MarketStatus, to: MarketStatus): string {
  if (to === 'OPEN') return from === 'HALTED' ? 'Resume' : 'Open';
  if (to === 'HALTED') return 'Halt';
  if (to === 'CLOSED') return 'Close';
  if (to === 'RESOLVED') return 'Resolve';
  return 'Void';
}
