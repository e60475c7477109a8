import type { ControlErrorCode } from '../../../src-shared/control-api.js';

/**
 * Base of every error Warden raises on purpose. `message` is one sentence a person can act on
 * and never holds a secret value; `code` is stable for programs.
 */
export class WardenError extends Error {
  readonly code: ControlErrorCode;

  constructor(code: ControlErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WardenError';
    this.code = code;
  }
}

/** Bad input from a person or program: says what was wrong and what to do. */
export class InvalidInputError extends WardenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_request', message, options);
    this.name = 'InvalidInputError';
  }
}

/** A named thing (server, secret, client) does not exist. */
export class NotFoundError extends WardenError {
  constructor(kind: string, name: string) {
    super('not_found', `${kind} "${name}" does not exist`);
    this.name = 'NotFoundError';
  }
}

/** A named thing already exists. */
export class ConflictError extends WardenError {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'ConflictError';
  }
}

/**
 * Turns anything thrown into a message that is safe to show: our own errors keep their
 * sentence, anything else becomes a generic one (its text may hold paths, tokens or stacks).
 */
export function publicMessage(error: unknown, operation: string): { code: ControlErrorCode; message: string } {
  if (error instanceof WardenError) return { code: error.code, message: error.message };
  return { code: 'internal', message: `${operation} failed with an internal error; see the Warden log` };
}
