import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainSigner, type FieldValue } from '../../../../src-main/core/audit/chain-signer.js';

const KEY = Buffer.alloc(32, 7);

/** The MAC as rows already on disk were signed: one HMAC update per piece. */
function signedPieceByPiece(previous: string, parts: readonly FieldValue[]): string {
  const hmac = createHmac('sha256', KEY).update(previous);
  for (const part of parts) {
    const text = part === null ? '' : String(part);
    hmac.update(part === null ? '\u0000n' : `\u0000${text.length}:`).update(text);
  }
  return hmac.digest('base64url');
}

const field = fc.oneof(fc.constant(null), fc.integer(), fc.double(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }));

describe('ChainSigner', () => {
  describe('sign()', () => {
    it('gives every input the MAC the per-piece signing gave it, so rows written before still verify', () => {
      const signer = new ChainSigner(KEY);
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), fc.array(field, { maxLength: 12 }), (previous, parts) => {
          expect(signer.sign(previous, parts)).toBe(signedPieceByPiece(previous, parts));
        }),
        { numRuns: 500 },
      );
    });

    it('keeps null apart from the empty string and parts from running together', () => {
      const signer = new ChainSigner(KEY);
      expect(signer.sign('p', [null])).not.toBe(signer.sign('p', ['']));
      expect(signer.sign('p', ['ab', 'c'])).not.toBe(signer.sign('p', ['a', 'bc']));
    });
  });
});
