/** The house-maker settings checks made in the admin console before submit (src/lib/house.ts). */
import { describe, expect, it } from 'vitest';
import { validateHouseDraft, type HouseDraft } from '../src/lib/house.ts';

const ok: HouseDraft = { slug: 'm', enabled: true, b: '100', pMin: '1', pMax: '99' };

describe('validateHouseDraft', () => {
  it('accepts good settings (fractional b, full band, a band around p0)', () => {
    expect(validateHouseDraft(ok, null)).toEqual({});
    expect(validateHouseDraft({ ...ok, b: '12.5', pMin: '40', pMax: '60' }, 50)).toEqual({});
  });
  it('rejects b not a positive number up to 1,000,000 shares', () => {
    for (const b of ['', '0', '-3', 'abc', '1000001']) expect(Object.keys(validateHouseDraft({ ...ok, b }, null))).toEqual(['b']);
  });
  it('rejects a band outside 1..99, not whole cents, inverted, or not containing p0', () => {
    expect(validateHouseDraft({ ...ok, pMin: '0' }, null).pMin).toMatch(/1 to 99/);
    expect(validateHouseDraft({ ...ok, pMax: '100' }, null).pMax).toMatch(/1 to 99/);
    expect(validateHouseDraft({ ...ok, pMin: '2.5' }, null).pMin).toMatch(/whole number/);
    expect(validateHouseDraft({ ...ok, pMin: '60', pMax: '60' }, null).pMax).toBe('pMax must be above pMin');
    expect(validateHouseDraft({ ...ok, pMin: '60', pMax: '90' }, 50).pMax).toMatch(/p0 = 50¢/);
  });
  it('asks for a market', () => {
    expect(validateHouseDraft({ ...ok, slug: '' }, null)).toEqual({ slug: 'Choose a market' });
  });
});
