import { applyEdits, modify, parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InvalidInputError, WardenError } from '../errors/warden-error.js';
import { takeLockFile } from '../lock-file.js';
import { BACKUP_MARK } from './config-backups.js';

/** The file operations a config write uses; tests pass one that fails at a chosen step. */
export type ConfigFs = Pick<
  typeof nodeFs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'chmodSync' | 'statSync' | 'readFileSync' | 'existsSync'
>;

export interface LoadedConfig {
  path: string;
  text: string;
  /** The parsed document (an object). */
  root: Record<string, unknown>;
  /** Permission bits, kept on rewrite. */
  mode: number;
}

const STALE_LOCK_MS = 30_000;

/** Reads and parses a client config; undefined when the file does not exist. */
export function loadConfig(path: string, jsonc: boolean, fs: ConfigFs = nodeFs): LoadedConfig | undefined {
  if (!fs.existsSync(path)) return undefined;
  const text = fs.readFileSync(path, 'utf8');
  return { path, text, root: parseConfig(text, path, jsonc), mode: fs.statSync(path).mode & 0o777 };
}

/**
 * Parses a config, refusing anything but one JSON object with the place of the first error.
 * `jsonc` allows comments and trailing commas (VS Code's format).
 */
export function parseConfig(text: string, path: string, jsonc: boolean): Record<string, unknown> {
  const errors: ParseError[] = [];
  const root = parse(text, errors, { allowTrailingComma: jsonc, disallowComments: !jsonc, allowEmptyContent: true }) as unknown;
  const first = errors[0];
  if (first) {
    const { line, column } = position(text, first.offset);
    throw new InvalidInputError(
      `${path} is not valid JSON at line ${line}, column ${column} (${describeParseError(printParseErrorCode(first.error))}); Warden left it untouched: fix the file and try again`,
    );
  }
  if (root === undefined) return {};
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new InvalidInputError(`${path} does not hold a JSON object at the top; Warden left it untouched`);
  }
  return root as Record<string, unknown>;
}

function describeParseError(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Sets (or, with `undefined`, removes) entries of the servers object, editing only those
 * entries' text: comments, formatting and every other key stay byte for byte.
 */
export function editEntries(text: string, serversKey: string, entries: ReadonlyMap<string, unknown>): string {
  let out = text.trim() === '' ? '{}' : text;
  const indent = /\n(\s+)"/.exec(out)?.[1] ?? '  ';
  const formattingOptions = { insertSpaces: !indent.includes('\t'), tabSize: indent.includes('\t') ? 1 : indent.length, eol: out.includes('\r\n') ? '\r\n' : '\n' };
  for (const [name, value] of entries) {
    out = applyEdits(out, modify(out, [serversKey, name], value, { formattingOptions }));
  }
  return out;
}

/**
 * Replaces the file's contents safely: under a lock file, after a timestamped byte-for-byte
 * backup, by writing a temp file in the same folder, fsyncing it, giving it the original's
 * permissions and renaming it over the original. An interruption at any step leaves the
 * original whole. Returns the backup's path (undefined for a new file).
 */
export function writeConfigAtomic(path: string, text: string, mode: number | undefined, now: Date, fs: ConfigFs = nodeFs): string | undefined {
  const release = lock(path, now, fs);
  try {
    let backup: string | undefined;
    if (fs.existsSync(path)) {
      if ((fs.statSync(path).mode & 0o200) === 0) {
        throw new WardenError('invalid_request', `${path} is read-only; make it writable (chmod u+w) and try again`);
      }
      backup = backupCopy(path, now, fs);
    }
    const temp = join(dirname(path), `.${basename(path)}.warden-${process.pid}-${now.getTime()}.tmp`);
    try {
      const fd = fs.openSync(temp, 'wx', mode ?? 0o600);
      try {
        fs.writeSync(fd, text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      if (mode !== undefined) fs.chmodSync(temp, mode);
      fs.renameSync(temp, path);
    } catch (error) {
      try {
        fs.unlinkSync(temp);
      } catch {
        // Never created, or already renamed.
      }
      throw error instanceof WardenError
        ? error
        : new WardenError('unavailable', `could not write ${path}: ${(error as Error).message}; the original is unchanged`, { cause: error });
    }
    return backup;
  } finally {
    release();
  }
}

/**
 * Copies the file byte for byte to a new timestamped name (never over an older backup), mode
 * 0600 from its creation on: the original may hold the secrets an import moved into the vault.
 */
function backupCopy(path: string, now: Date, fs: ConfigFs): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const bytes = fs.readFileSync(path);
  for (let n = 1; ; n++) {
    const backup = `${path}${BACKUP_MARK}${stamp}${n === 1 ? '' : `-${n}`}`;
    let created = false;
    try {
      const fd = fs.openSync(backup, 'wx', 0o600);
      created = true;
      try {
        // A umask can only narrow 0600; chmod anyway in case the file system ignored the mode.
        fs.chmodSync(backup, 0o600);
        fs.writeSync(fd, bytes);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return backup;
    } catch (error) {
      if (created) {
        try {
          fs.unlinkSync(backup);
        } catch {
          // Left behind half-written; the refusal below still stops the change.
        }
      }
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) {
        throw new WardenError('unavailable', `could not back up ${path} before changing it: ${(error as Error).message}; nothing was changed`, { cause: error });
      }
    }
  }
}

function lock(path: string, now: Date, fs: ConfigFs): () => void {
  const busy = `${path} is being changed by another Warden command; try again in a moment`;
  return takeLockFile(`${path}.warden-lock`, {
    content: '',
    busy,
    heldBy: (_text, ageMs) => (ageMs < STALE_LOCK_MS ? busy : undefined),
    fs,
    now: now.getTime(),
  });
}
