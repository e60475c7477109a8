/**
 * Confining a failure to the event that caused it: every listener and timer in the core runs
 * its body through {@link guarded}, so a bug or bad input while handling one event is logged
 * and the core carries on, instead of reaching `uncaughtException`.
 */

/** Where a guarded callback reports what went wrong (the core's `note`, or a module's own log). */
export type FailureReport = (text: string) => void;

/**
 * The error's name and message, at most 300 characters, never its stack: stacks of errors
 * thrown while handling outside data can carry that data (and so a secret) in frames' text.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return `thrown ${typeof error}`;
}

/**
 * Wraps `body` so that a synchronous throw or a rejected promise is reported as
 * "WHAT failed: Name: message" through `report` and goes no further. A report that itself
 * throws is dropped: nothing escapes.
 */
export function guarded<A extends unknown[]>(report: FailureReport, what: string, body: (...args: A) => unknown): (...args: A) => void {
  const fail = (error: unknown): void => {
    try {
      report(`${what} failed: ${describeFailure(error)}`);
    } catch {
      // The log itself failed; there is nowhere left to say so.
    }
  };
  return (...args: A): void => {
    try {
      const result = body(...args);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}
