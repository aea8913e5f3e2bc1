import { describe, expect, it } from 'vitest';
import { API_ERRORS, ApiError, ENGINE_REJECTIONS, SERVICE_ERRORS, httpStatusOf, type ApiErrorCode } from '../src/index.ts';

// The copy equals the engine's RejectCode: apps/backend/test/error-catalogue.test.ts.
const RejectCode = Object.fromEntries(Object.entries(ENGINE_REJECTIONS).map(([name, r]) => [name, r.engineCode])) as Record<string, number>;

describe('API error catalogue', () => {
  const codes = Object.keys(API_ERRORS) as ApiErrorCode[];

  it('covers every engine rejection and every service error, once', () => {
    for (const name of Object.keys(RejectCode)) expect(codes).toContain(name);
    for (const name of Object.keys(SERVICE_ERRORS)) expect(codes).toContain(name);
    expect(new Set(codes).size).toBe(Object.keys(RejectCode).length + Object.keys(SERVICE_ERRORS).length);
  });

  it('gives every code a 4xx/5xx status and a description', () => {
    for (const code of codes) {
      const spec = API_ERRORS[code];
      expect(spec.status, code).toBeGreaterThanOrEqual(400);
      expect(spec.status, code).toBeLessThan(600);
      expect(spec.description.length, code).toBeGreaterThan(10);
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
    }
  });

  it('keeps engine rejections client errors (never 5xx) with their numeric code', () => {
    for (const [name, value] of Object.entries(RejectCode)) {
      const spec = API_ERRORS[name as ApiErrorCode];
      expect(spec.status, name).toBeLessThan(500);
      expect(spec.engineCode).toBe(value);
    }
  });

  it('renders the wire body', () => {
    const err = new ApiError('INSUFFICIENT_BALANCE', 'needs 100 cents');
    expect(err.status).toBe(httpStatusOf('INSUFFICIENT_BALANCE'));
    expect(err.toBody()).toEqual({ error: { code: 'INSUFFICIENT_BALANCE', message: 'needs 100 cents', engineCode: 2001 } });
    expect(new ApiError('NOT_FOUND', 'x').toBody()).toEqual({ error: { code: 'NOT_FOUND', message: 'x' } });
  });
});
