// packages/shared depends on zod only, so it carries a copy of the engine's rejection codes
// (ENGINE_REJECTIONS). This test keeps the copy exact: every engine code present with the same
// name and number, and nothing else.
import { describe, expect, it } from 'vitest';
import { RejectCode } from '@prediction-markets/matching-engine';
import { API_ERRORS, ENGINE_REJECTIONS, SERVICE_ERRORS } from '@prediction-markets/shared';

describe('the shared error catalogue and the engine', () => {
  it("lists exactly the engine's RejectCode: same names, same numbers", () => {
    const shared = Object.fromEntries(Object.entries(ENGINE_REJECTIONS).map(([name, r]) => [name, r.engineCode]));
    expect(shared).toEqual({ ...RejectCode });
  });

  it('exposes each engine code as engineCode, and no service code shadows an engine name', () => {
    for (const [name, value] of Object.entries(RejectCode)) {
      expect(API_ERRORS[name as keyof typeof API_ERRORS]?.engineCode, name).toBe(value);
      expect(Object.keys(SERVICE_ERRORS)).not.toContain(name);
    }
  });
});
