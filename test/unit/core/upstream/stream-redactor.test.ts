import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamRedactor } from '../../../../src-main/core/upstream/stream-redactor.js';
import { Redactor } from '../../../../src-main/core/vault/redactor.js';

const SECRET = 'sk-live-0123456789abcdef';

function redactor(secrets: Record<string, string>): Redactor {
  const r = new Redactor();
  r.update(new Map(Object.entries(secrets)));
  return r;
}

/** Feeds `chunks` through a StreamRedactor and returns everything it wrote. */
function stream(r: Redactor, chunks: Buffer[], end = true): string {
  let out = '';
  const s = new StreamRedactor(r, (text) => (out += text));
  for (const chunk of chunks) s.push(chunk);
  if (end) s.end();
  return out;
}

describe('G7: StreamRedactor', () => {
  it('redacts a secret split at every possible point between two chunks', () => {
    const r = redactor({ KEY: SECRET });
    const text = `token=${SECRET} done\n`;
    for (let cut = 0; cut <= text.length; cut++) {
      const out = stream(r, [Buffer.from(text.slice(0, cut)), Buffer.from(text.slice(cut))]);
      expect(out).toBe('token=«secret:KEY» done\n');
    }
  });

  it('holds back only an end that could begin a secret, and writes the rest at once', () => {
    const r = redactor({ KEY: SECRET });
    expect(stream(r, [Buffer.from('ready\nsk-li')], false)).toBe('ready\n');
    expect(stream(r, [Buffer.from('ready\n')], false)).toBe('ready\n');
  });

  it('writes what it held when the stream ends', () => {
    expect(stream(redactor({ KEY: SECRET }), [Buffer.from('partial sk-li')])).toBe('partial sk-li');
  });

  it('decodes a UTF-8 character split across chunks', () => {
    const bytes = Buffer.from('é€😀\n');
    expect(stream(redactor({}), [...bytes].map((b) => Buffer.from([b])))).toBe('é€😀\n');
  });

  it('never writes a secret, however the stream is cut (property)', () => {
    const secrets = { A: SECRET, B: 'pw-Ωmega-42', C: 'line1\nline2-multi' };
    const r = redactor(secrets);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.constantFrom(...Object.values(secrets))), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (parts, cuts) => {
          const bytes = Buffer.from(parts.join(''));
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let at = 0;
          for (const point of [...points, bytes.length]) {
            chunks.push(bytes.subarray(at, point));
            at = point;
          }
          const out = stream(r, chunks);
          expect(out).toBe(r.redact(bytes.toString('utf8')));
          for (const value of Object.values(secrets)) expect(out).not.toContain(value);
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });
});
