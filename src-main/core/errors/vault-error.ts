import { WardenError } from './warden-error.js';

/** The vault key is missing, unsafe, or does not open the stored secrets. */
export class VaultError extends WardenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, options);
    this.name = 'VaultError';
  }
}
