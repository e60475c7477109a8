import fc from 'fast-check';
import { isAbsolute, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HelpRequested, normalizeArgs, parseCommandArgs } from '../../../src-main/cli/args.js';
import { UsageError } from '../../../src-main/cli/cli-error.js';

const SERVER_ADD = {
  command: { type: 'string' },
  arg: { type: 'string', multiple: true },
  env: { type: 'string', multiple: true },
  cwd: { type: 'string' },
  json: { type: 'boolean' },
  follow: { type: 'boolean', short: 'f' },
  limit: { type: 'string', short: 'n' },
} as const;

function refusal(argv: string[]): string {
  try {
    parseCommandArgs(argv, SERVER_ADD, 'warden x');
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('parseCommandArgs()', () => {
  it('takes an option value that starts with a dash, as the README writes `--arg -y`', () => {
    const { values, positionals } = parseCommandArgs(['everything', '--command', 'npx', '--arg', '-y', '--arg', '@scope/pkg', '--json'], SERVER_ADD, 'u');
    expect(values.arg).toEqual(['-y', '@scope/pkg']);
    expect(values.command).toBe('npx');
    expect(values.json).toBe(true);
    expect(positionals).toEqual(['everything']);
  });

  it('takes a value that looks like an option, and a short option\'s value', () => {
    const { values } = parseCommandArgs(['--arg', '--json', '-n', '-3'], SERVER_ADD, 'u');
    expect(values.arg).toEqual(['--json']);
    expect(values.json).toBeUndefined();
    expect(values.limit).toBe('-3');
  });

  it('reads a negative number as a positional value, in order with the others', () => {
    const { positionals } = parseCommandArgs(['set', 'approvalTimeoutSeconds', '-5'], {}, 'u');
    expect(positionals).toEqual(['set', 'approvalTimeoutSeconds', '-5']);
  });

  it('keeps words after -- as positionals, even when they look like options', () => {
    const { positionals, values } = parseCommandArgs(['a', '--', '--json', '-x'], SERVER_ADD, 'u');
    expect(positionals).toEqual(['a', '--json', '-x']);
    expect(values.json).toBeUndefined();
  });

  it('resolves --cwd and --config against the working directory, leaving absolute ones as they are', () => {
    expect(parseCommandArgs(['--cwd', 'sub/dir'], SERVER_ADD, 'u').values.cwd).toBe(resolve('sub/dir'));
    expect(parseCommandArgs(['--cwd', '/abs'], SERVER_ADD, 'u').values.cwd).toBe('/abs');
    const config = parseCommandArgs(['--config', 'rel.json'], { config: { type: 'string' } }, 'u').values.config as string;
    expect(isAbsolute(config) && config.endsWith('/rel.json')).toBe(true);
  });

  it('suggests the nearest option for a mistyped one, with the usage', () => {
    expect(refusal(['--jsn'])).toBe('unknown option --jsn (did you mean --json?); usage: warden x');
    expect(refusal(['--comand=x'])).toMatch(/^unknown option --comand \(did you mean --command\?\)/);
  });

  it('names the options when nothing is near, or says there are none', () => {
    expect(refusal(['--frobnicate'])).toMatch(/^unknown option --frobnicate \(the options are --command, --arg, /);
    expect(() => parseCommandArgs(['--x'], {}, 'warden stop')).toThrow('unknown option --x (this command takes no options); usage: warden stop');
  });

  it('says which option lacks its value when it is the last word', () => {
    expect(refusal(['name', '--arg'])).toBe('--arg needs a value; usage: warden x');
  });

  it('gives Node\'s whole hint, on one line, for what it refuses', () => {
    const message = refusal(['--json=yes']);
    expect(message).toMatch(/^Option '--json' does not take an argument/);
    expect(message).not.toContain('\n');
  });

  it('asks for help on --help or -h, but not when -h is the value of an option', () => {
    expect(() => parseCommandArgs(['x', '--json', '--help'], SERVER_ADD, 'u')).toThrow(HelpRequested);
    expect(() => parseCommandArgs(['-h'], {}, 'u')).toThrow(HelpRequested);
    const { values } = parseCommandArgs(['x', '--command', 'curl', '--arg', '-h', '--arg', '--help'], SERVER_ADD, 'u');
    expect(values.arg).toEqual(['-h', '--help']);
    expect('help' in values).toBe(false);
  });

  it('refuses with a UsageError (or asks for help), never another error, whatever the words', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('--arg', '--json', '-f', '-n', '--', '-5', '--cwd', '--x=1', '-', '-h'), fc.string()), { maxLength: 12 }), (argv) => {
        try {
          parseCommandArgs(argv, SERVER_ADD, 'u');
        } catch (error) {
          expect(error instanceof UsageError || error instanceof HelpRequested).toBe(true);
        }
      }),
    );
  });
});

describe('normalizeArgs()', () => {
  it('joins a string option with its value and puts positionals after one --', () => {
    expect(normalizeArgs(['x', '--arg', '-y', '-f', '-2'], SERVER_ADD)).toEqual(['--arg=-y', '-f', '--', 'x', '-2']);
  });
});
