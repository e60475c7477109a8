/**
 * Replaces stored secret values with `«secret:NAME»` in text bound for a log. Values shorter
 * than {@link MIN_REDACTED_LENGTH} are left alone: redacting "1" or "on" everywhere would
 * garble the log while protecting nothing.
 */
export const MIN_REDACTED_LENGTH = 4;

export class Redactor {
  /** Longest values first, so a secret that contains another is replaced whole. */
  private entries: Array<{ value: string; label: string }> = [];

  /** Replaces the set of values to redact. */
  update(secrets: ReadonlyMap<string, string>): void {
    this.entries = [...secrets]
      .filter(([, value]) => value.length >= MIN_REDACTED_LENGTH)
      .map(([name, value]) => ({ value, label: `«secret:${name}»` }))
      .sort((a, b) => b.value.length - a.value.length);
  }

  /** Returns `text` with every stored secret value replaced by its label. */
  redact(text: string): string {
    let out = text;
    for (const { value, label } of this.entries) {
      if (out.includes(value)) out = out.split(value).join(label);
    }
    return out;
  }

  /**
   * The length of the longest end of `text` that begins a stored secret value without
   * completing it (0 when none does). A writer streaming text holds that much back until more
   * arrives, so a value split across two writes is still redacted whole.
   */
  unfinishedSuffix(text: string): number {
    let longest = 0;
    for (const { value } of this.entries) {
      const first = value.charCodeAt(0);
      for (let k = Math.min(value.length - 1, text.length); k > longest; k--) {
        if (text.charCodeAt(text.length - k) === first && text.endsWith(value.slice(0, k))) {
          longest = k;
          break;
        }
      }
    }
    return longest;
  }

  /** Names of the secrets whose values occur in `text`. */
  find(text: string): string[] {
    const names: string[] = [];
    for (const { value, label } of this.entries) {
      if (text.includes(value)) names.push(label.slice('«secret:'.length, -1));
    }
    return names;
  }
}
