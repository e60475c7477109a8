/** An error the CLI prints as one line on stderr before exiting non-zero. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A mistake in how a command was called; exits with 2, as usage errors do. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** The exit code of a `warden daemon` that found another core serving its data dir. */
export const EXIT_ALREADY_RUNNING = 3;

/** No core listens for the data dir, and the command does not start one. */
export class CoreNotRunningError extends CliError {
  constructor(readonly dataDir: string) {
    super(`the Warden core is not running for ${dataDir}; start it with: warden daemon (commands that change something start it too)`);
    this.name = 'CoreNotRunningError';
  }
}
