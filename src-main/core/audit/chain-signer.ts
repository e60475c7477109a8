import { createHmac } from 'node:crypto';

/** The value a field of an audit row may hold, as stored and as signed. */
export type FieldValue = string | number | null;

/** What the first row of a chain follows. */
export const GENESIS = 'genesis';

/**
 * The HMACs of the audit chain, with the key from the vault. Every part is length-prefixed, so
 * no two inputs run together; `null` is signed apart from the empty string.
 */
export class ChainSigner {
  constructor(private readonly key: Buffer) {}

  /** HMAC over the previous MAC and each part. */
  sign(previous: string, parts: ReadonlyArray<FieldValue>): string {
    // One update of the joined text: the same bytes as an update per piece (each piece is
    // well-formed text and a separator stands between any two), at a third of the native calls.
    let text = previous;
    for (const part of parts) {
      if (part === null) {
        text += '\u0000n';
      } else {
        const value = typeof part === 'string' ? part : String(part);
        text += `\u0000${value.length}:${value}`;
      }
    }
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  /** The tag of a signed pointer into the chain (`label` is "head" or "checkpoint"). */
  tag(label: string, id: number, mac: string): string {
    return this.sign(label, [id, mac]);
  }
}

/**
 * Text exactly as SQLite will store it: SQLite keeps UTF-8, so a lone surrogate (which UTF-8
 * cannot hold) comes back as U+FFFD. Signing the stored form means the MAC covers the bytes
 * on disk, whatever string the caller passed.
 */
export function storedText(text: string): string {
  return (text as string & { toWellFormed(): string }).toWellFormed();
}

/** A nullable text field as stored. */
export function storedNullableText(text: string | null): string | null {
  return text === null ? null : storedText(text);
}

/**
 * A number as stored: SQLite stores NaN as NULL, so a non-finite value becomes null before it is
 * signed (±Infinity survives SQLite but not JSON, and means nothing as a duration or a size).
 */
export function storedNumber(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}
