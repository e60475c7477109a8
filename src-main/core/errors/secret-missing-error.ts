import { WardenError } from './warden-error.js';

/** A `${secret:NAME}` reference names a secret the vault does not hold. */
export class SecretMissingError extends WardenError {
  readonly secret: string;

  constructor(secret: string) {
    super('unavailable', `secret ${secret} is not set (warden secret set ${secret})`);
    this.name = 'SecretMissingError';
    this.secret = secret;
  }
}
