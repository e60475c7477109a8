import { UsageError } from '../cli-error.js';
import { parse, type Command } from '../context.js';
import { readSecretValue } from '../read-secret.js';

/** `warden vault status | passphrase` (the passphrase on stdin, never as an argument). */
export const vaultCommand: Command = async (argv, context) => {
  const [verb, ...rest] = argv;
  if (verb === 'status' || verb === undefined) {
    parse(rest, {}, 'warden vault status');
    const { vault } = await (await context.control({ start: false })).call('status', {});
    context.out(`secrets are protected by: ${vault.description}${vault.warning ? `\nwarning: ${vault.warning}` : ''}`);
    return;
  }
  if (verb !== 'passphrase') throw new UsageError('usage: warden vault status | passphrase');
  parse(rest, {}, 'warden vault passphrase  (the passphrase on stdin)');
  const passphrase = await readSecretValue('new vault passphrase: ');
  const { description } = await (await context.control()).call('vault.usePassphrase', { passphrase });
  context.out(`secrets are now sealed with a ${description}; the headless daemon needs WARDEN_VAULT_PASSPHRASE to start, the desktop app asks for it`);
};
