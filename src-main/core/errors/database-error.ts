import { WardenError } from './warden-error.js';

/** The database cannot be used as it is (newer schema, corrupt file, locked). */
export class DatabaseError extends WardenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, options);
    this.name = 'DatabaseError';
  }
}
