import { describe, expect, it } from 'vitest';
import { schemas } from '../src/index.ts';

describe('checked text', () => {
  it('PlainText refuses NUL, other C0 and C1 controls, DEL and lone surrogates; keeps tab and line breaks', () => {
    for (const bad of ['\u0000', 'a\u0000b', '\u0001', '\u001b[31m', '\u007f', '\u0085', '\u009f', '\ud800', 'x\udc00']) expect(schemas.PlainText.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    for (const good of ['', 'plain', 'tab\there', 'two\nlines\r\n', 'ÄÖÜ ß 😀', '\u00a0nbsp']) expect(schemas.PlainText.safeParse(good).success, JSON.stringify(good)).toBe(true);
  });

  it('LineText is one line', () => {
    expect(schemas.LineText.safeParse('MARKET_CREATED').success).toBe(true);
    for (const bad of ['a\nb', 'a\tb', '\r', '\u0000']) expect(schemas.LineText.safeParse(bad).success).toBe(false);
  });

  it('no new market may take a reserved slug', () => {
    for (const w of schemas.RESERVED_SLUGS) {
      expect(schemas.NewSlug.safeParse(w).success, w).toBe(false);
      expect(schemas.CreateMarketBody.safeParse({ slug: w, question: 'Q?', closesAt: '2030-01-01T00:00:00Z' }).success, w).toBe(false);
    }
    expect(schemas.NewSlug.safeParse('batch-2027').success).toBe(true);
    // existing slugs stay addressable: path parameters use Slug
    expect(schemas.Slug.safeParse('batch').success).toBe(true);
  });
});
