import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TARGET_LENGTH, parseRequestTarget } from '../../../../src-main/core/web/request-target.js';

describe('G5: parseRequestTarget()', () => {
  it('never throws, whatever the target', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.webUrl(), fc.webPath()), (target) => {
        const parsed = parseRequestTarget(target);
        if (!parsed.ok) expect(parsed.message).toMatch(/^The address .+\.$/);
      }),
      { seed: 10, numRuns: 2000 },
    );
  });

  it.each(['//', '/%', '/%E0%A4%A', 'http://x/', '*', '//evil.example/', 'example.com:443', '/a\u0000b', '/%00'])('refuses %j with a sentence', (target) => {
    expect(parseRequestTarget(target)).toMatchObject({ ok: false });
  });

  it('refuses a target longer than the limit', () => {
    expect(parseRequestTarget(`/${'a'.repeat(MAX_TARGET_LENGTH)}`)).toEqual({ ok: false, message: `The address is longer than ${MAX_TARGET_LENGTH} characters.` });
  });

  it('reads a plain path with its query and decodes the path', () => {
    const parsed = parseRequestTarget('/assets/a%20b.js?token=x%2By');
    expect(parsed).toMatchObject({ ok: true, pathname: '/assets/a%20b.js', decodedPath: '/assets/a b.js' });
    expect(parsed.ok && parsed.searchParams.get('token')).toBe('x+y');
  });
});
