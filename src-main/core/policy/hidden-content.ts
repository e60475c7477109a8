/**
 * Characters that hide text from a person while a model still reads it: ANSI escape
 * sequences, bidirectional controls, zero-width characters and Unicode tag characters.
 */
// Matching control characters is the purpose of this pattern.
// eslint-disable-next-line no-control-regex
const HIDDEN = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]|[\u{e0000}-\u{e007f}]/gu;

/** A cheap first look: any character that can start hidden content (most texts have none). */
// eslint-disable-next-line no-control-regex
const MAYBE_HIDDEN = /[\u001b\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\udb40]/;

/** The kinds of hidden content in `text`, for the log; empty when there is none. */
export function findHidden(text: string): string[] {
  if (!MAYBE_HIDDEN.test(text)) return [];
  const kinds = new Set<string>();
  for (const match of text.matchAll(HIDDEN)) {
    const code = match[0].codePointAt(0) as number;
    if (code === 0x1b) kinds.add('ANSI escape');
    else if (code >= 0xe0000) kinds.add('Unicode tag characters');
    else if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) kinds.add('bidirectional control');
    else kinds.add('zero-width character');
  }
  return [...kinds];
}

/** `text` without hidden content. */
export function stripHidden(text: string): string {
  return text.replace(HIDDEN, '');
}
