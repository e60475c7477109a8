/**
 * The CLI's one layer over `util.parseArgs`. Node's parser refuses `--arg -y` ("ambiguous") and
 * reads `-5` as an unknown short option; a CLI that launches `npx -y …` and takes negative
 * numbers needs both. This layer rewrites argv first (an option that takes a value takes the next
 * word, whatever it starts with; a negative number is a value), lets parseArgs check the rest,
 * and turns its refusals into one sentence with its whole hint and a "did you mean".
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from './cli-error.js';
import { closest } from './suggest.js';

/**
 * Thrown by {@link parseCommandArgs} when the command's words hold `--help` or `-h` (not as
 * the value of an option): the caller prints the command's usage and exits 0.
 */
export class HelpRequested extends Error {
  constructor() {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** The options one command takes, as `util.parseArgs` reads them. */
export type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Options whose value is a file or folder: resolved here against the caller's working
 * directory, so the core (whose working directory is its own) gets an absolute path.
 */
const PATH_OPTIONS: ReadonlySet<string> = new Set(['config', 'cwd']);

const NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/;

/**
 * Rewrites `argv` so that parseArgs reads it as a person meant it: `--opt VALUE` and `-o VALUE`
 * of a string option become `--opt=VALUE` (VALUE may start with a dash, as commander reads a
 * required option-argument); negative numbers and everything after `--` stay positionals, put
 * after one `--` in their order. Throws when a string option is the last word (no value).
 */
export function normalizeArgs(argv: readonly string[], options: Options): string[] {
  const flags: string[] = [];
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, option] of Object.entries(options)) if (option.short) byShort.set(option.short, name);
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!word.startsWith('-') || word === '-' || NEGATIVE_NUMBER.test(word)) {
      positionals.push(word);
      continue;
    }
    const name = word.startsWith('--') ? word.slice(2) : word.length === 2 ? byShort.get(word.slice(1)) : undefined;
    if (name !== undefined && !name.includes('=') && options[name]?.type === 'string') {
      if (i + 1 >= argv.length) throw new Error(`${word} needs a value`);
      flags.push(`--${name}=${argv[++i] as string}`);
      continue;
    }
    flags.push(word);
  }
  return positionals.length > 0 ? [...flags, '--', ...positionals] : flags;
}

/**
 * Parses one command's arguments strictly. A mistake becomes a {@link UsageError}: Node's whole
 * hint (all its lines, as one), or "did you mean --json?" for a mistyped option, then the usage.
 * Path options (`--config`, `--cwd`) come back absolute. `--help`/`-h` throws {@link HelpRequested}.
 */
export function parseCommandArgs<O extends Options>(argv: readonly string[], options: O, usage: string) {
  const withHelp = { ...HELP_OPTION, ...options };
  let parsed;
  try {
    parsed = parseArgs({ args: normalizeArgs(argv, withHelp), options: withHelp, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${refusal(error, options)}; usage: ${usage}`);
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.help === true && !('help' in options)) throw new HelpRequested();
  delete values.help;
  for (const name of PATH_OPTIONS) {
    const value = values[name];
    if (typeof value === 'string' && value !== '' && !isAbsolute(value)) values[name] = resolve(value);
  }
  return parsed;
}

function refusal(error: unknown, options: Options): string {
  // Node's refusal spans lines (the problem, then how to fix it): all of it, as one sentence.
  const message = (error as Error).message.split('\n').map((line) => line.trim()).filter(Boolean).join(' ').replace(/\.$/, '');
  const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
  if (unknown === undefined) return message;
  const near = closest(unknown.replace(/^-+/, '').split('=')[0] as string, Object.keys(options));
  if (near !== undefined) return `unknown option ${unknown} (did you mean --${near}?)`;
  const known = Object.keys(options).map((name) => `--${name}`);
  return `unknown option ${unknown} (${known.length === 0 ? 'this command takes no options' : `the options are ${known.join(', ')}`})`;
}
