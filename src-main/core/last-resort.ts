import { describeFailure } from './errors/guarded.js';

/** What {@link installLastResort} returns: the count so far, and the disposer. */
export interface LastResort {
  /** How many uncaught exceptions and unhandled rejections reached the process so far. */
  count(): number;
  /** Removes the process handlers. */
  dispose(): void;
}

/**
 * The headless core's last line of defence: an exception nobody caught, or a rejection nobody
 * handled, is written as one line `uncaught: #N Name: message` (redacted, never a stack: a
 * stack's text can quote the outside data that caused it) and the process keeps running.
 *
 * Why keep running: the design says nothing from outside may crash the core, and every
 * listener and timer already confines its own failures, so what arrives here is a bug whose
 * effect is limited to the event that raised it. Continuing cannot forward a call unlogged:
 * the gateway commits a call's audit row before forwarding it, so a bug between the two
 * leaves the call unforwarded, not unrecorded. Exiting instead would drop every client's
 * session at once. Tests assert that the line `uncaught:` never appears in the core's log.
 *
 * `redact` is asked at each report (the vault's redactor once the core runs; undefined before).
 */
export function installLastResort(write: (line: string) => void, redact: () => ((text: string) => string) | undefined): LastResort {
  let count = 0;
  const report = (kind: string, error: unknown): void => {
    count++;
    try {
      const text = describeFailure(error);
      write(`[${new Date().toISOString()}] uncaught: #${count} ${kind} ${redact()?.(text) ?? text}\n`);
    } catch {
      // The log is gone too; the count still says it happened.
    }
  };
  const onException = (error: unknown): void => report('exception', error);
  const onRejection = (reason: unknown): void => report('rejection', reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return {
    count: () => count,
    dispose: () => {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
  };
}
