import { UsageError } from './cli-error.js';
import { parseCommandArgs, type Options } from './args.js';
import type { ControlClient } from './control-client.js';

/** What every command gets: where the data dir is, a lazy control connection, output. */
export interface CommandContext {
  dataDir: string;
  /**
   * The control connection. Starts the core when absent, unless `start` is false: commands
   * that only read pass false, so a mistyped data dir never makes a new vault.
   */
  control(options?: { start?: boolean }): Promise<ControlClient>;
  out(text: string): void;
}

export type Command = (argv: string[], context: CommandContext) => Promise<void>;

/**
 * A command's arguments, checked strictly (see {@link parseCommandArgs}): option values may
 * start with a dash, negative numbers are values, mistakes are usage errors with the usage.
 */
export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  return parseCommandArgs(argv, options, usage);
}

/** The one positional argument a command needs. */
export function onePositional(positionals: string[], what: string, usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected ${what}; usage: ${usage}`);
  return positionals[0] as string;
}
