import { Ajv, type ValidateFunction } from 'ajv';

/** A ready set of deny patterns (off until a user enables them for a tool). */
export const SUSPICIOUS_PATTERNS: ReadonlyArray<{ name: string; pattern: string }> = [
  { name: 'path traversal', pattern: String.raw`\.\.[\\/]` },
  { name: 'script tag', pattern: String.raw`<\s*script` },
  { name: 'SQL union select', pattern: String.raw`\bunion\b[\s\S]{0,40}\bselect\b` },
  { name: 'eval call', pattern: String.raw`\beval\s*\(` },
];

/**
 * Validates tool arguments against the tool's inputSchema with ajv (which the SDK already
 * brings). Validators are compiled once per schema text.
 */
export class SchemaGuard {
  private readonly ajv = new Ajv({ allErrors: false, strict: false, validateFormats: false });
  private readonly validators = new Map<string, ValidateFunction | null>();

  /** Returns the mismatch in words, or undefined when the arguments fit (or the schema is unusable). */
  check(schema: unknown, args: unknown): string | undefined {
    if (typeof schema !== 'object' || schema === null) return undefined;
    const key = JSON.stringify(schema);
    let validate = this.validators.get(key);
    if (validate === undefined) {
      try {
        validate = this.ajv.compile(schema as object);
      } catch {
        // A schema ajv cannot compile is the upstream's problem; the call is judged by rules.
        validate = null;
      }
      if (this.validators.size > 5000) this.validators.clear();
      this.validators.set(key, validate);
    }
    if (validate === null || validate(args ?? {})) return undefined;
    const error = validate.errors?.[0];
    if (!error) return 'the arguments do not match the tool\'s input schema';
    const where = error.instancePath === '' ? 'the arguments' : `argument ${error.instancePath.slice(1).replace(/\//g, '.')}`;
    return `${where} ${error.message ?? 'is invalid'}`;
  }
}
