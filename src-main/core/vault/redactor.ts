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

  /** Names of the secrets whose values occur in `text`. */
  find(text: string): string[] {
    const names: string[] = [];
    for (const { value, label } of this.entries) {
      if (text.includes(value)) names.push(label.slice('«secret:'.length, -1));
    }
    return names;
  }
}
