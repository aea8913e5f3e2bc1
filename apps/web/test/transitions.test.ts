import { describe, expect, it } from 'vitest';
import { MARKET_TRANSITIONS } from '@prediction-markets/matching-engine';
import { ALLOWED_TRANSITIONS } from '../src/lib/transitions.ts';

describe('ALLOWED_TRANSITIONS', () => {
  it('equals the engine table', () => {
    expect(ALLOWED_TRANSITIONS).toEqual(MARKET_TRANSITIONS);
  });
});
