import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-error.js';
import type { ControlClient } from './control-client.js';

/** What every command gets: where the data dir is, a lazy control connection, output. */
export interface CommandContext {
  dataDir: string;
  /** The control connection; starts the core when absent unless `start` is false. */
  control(options?: { start?: boolean }): Promise<ControlClient>;
  out(text: string): void;
}

export type Command = (argv: string[], context: CommandContext) => Promise<void>;

type Options = NonNullable<ParseArgsConfig['options']>;

/** `util.parseArgs` with strict checking, reporting mistakes as usage errors. */
export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]}; usage: ${usage}`);
  }
}

/** The one positional argument a command needs. */
export function onePositional(positionals: string[], what: string, usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected ${what}; usage: ${usage}`);
  return positionals[0] as string;
}
