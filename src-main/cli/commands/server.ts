import type { z } from 'zod';
import { UsageError } from '../cli-error.js';
import { onePositional, parse, type Command } from '../context.js';
import { table } from '../format.js';
import { ACTIONS, type Action } from '../../../src-shared/policy-types.js';
import { OAUTH_AUTH_METHODS, OAUTH_GRANTS, oauthConfigProblem, type remoteServerSpec } from '../../../src-shared/control-api.js';

function toAction(value: string | undefined): Action {
  if (value === undefined || !(ACTIONS as readonly string[]).includes(value)) throw new UsageError('the action is one of allow, ask, deny');
  return value as Action;
}

const ADD_USAGE =
  'warden server add NAME --command C [--arg A]... [--env K=V]... [--cwd DIR] | --url URL [--transport http|sse|auto] [--header K=V]... [--oauth-client-id ID] [--oauth-client-secret ${secret:NAME} | --oauth-private-key ${secret:NAME}] [--oauth-grant authorization_code|client_credentials] [--oauth-auth-method M] [--oauth-scope S] [--oauth-client-metadata-url URL] [--default-action allow|ask|deny] [--replace]';

const VAULT_REFERENCE = /^\$\{secret:[A-Za-z_][A-Za-z0-9_]*\}$/;

type OAuthFlags = NonNullable<z.input<typeof remoteServerSpec>['oauth']>;

/**
 * The OAuth client settings of `server add --url`. Secrets and keys are vault references
 * (${secret:NAME}); combinations that cannot work are refused with the sentence the core uses.
 */
function oauthSettings(values: Record<string, unknown>): { oauth?: OAuthFlags } {
  const pick = (flag: string): string | undefined => (typeof values[flag] === 'string' ? (values[flag] as string) : undefined);
  const grant = pick('oauth-grant');
  if (grant !== undefined && !(OAUTH_GRANTS as readonly string[]).includes(grant)) throw new UsageError(`--oauth-grant is one of ${OAUTH_GRANTS.join(', ')}`);
  const method = pick('oauth-auth-method');
  if (method !== undefined && !(OAUTH_AUTH_METHODS as readonly string[]).includes(method)) throw new UsageError(`--oauth-auth-method is one of ${OAUTH_AUTH_METHODS.join(', ')}`);
  const oauth: OAuthFlags = {
    ...(pick('oauth-client-id') ? { clientId: pick('oauth-client-id') } : {}),
    ...(pick('oauth-client-secret') ? { clientSecret: pick('oauth-client-secret') } : {}),
    ...(pick('oauth-client-metadata-url') ? { clientMetadataUrl: pick('oauth-client-metadata-url') } : {}),
    ...(pick('oauth-scope') ? { scope: pick('oauth-scope') } : {}),
    ...(grant ? { grant: grant as OAuthFlags['grant'] } : {}),
    ...(method ? { authMethod: method as OAuthFlags['authMethod'] } : {}),
    ...(pick('oauth-private-key') ? { privateKey: pick('oauth-private-key') } : {}),
  };
  if (oauth.clientSecret && !VAULT_REFERENCE.test(oauth.clientSecret)) {
    throw new UsageError('--oauth-client-secret takes a vault reference such as ${secret:GITHUB_OAUTH_SECRET}; store the value with: warden secret set NAME');
  }
  if (oauth.privateKey && !VAULT_REFERENCE.test(oauth.privateKey)) {
    throw new UsageError('--oauth-private-key takes a vault reference such as ${secret:CI_CLIENT_KEY}; store the PEM with: warden secret set NAME < key.pem');
  }
  const problem = oauthConfigProblem(oauth);
  if (problem) throw new UsageError(`${problem}; usage: ${ADD_USAGE}`);
  return Object.keys(oauth).length > 0 ? { oauth } : {};
}

/** K=V pairs of a repeated option. */
export function pairs(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of values) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} takes NAME=VALUE, got "${pair.split('=')[0]}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** `warden server add | list | remove`. */
export const serverCommand: Command = async (argv, context) => {
  const [action, ...rest] = argv;
  switch (action) {
    case 'add': {
      const { values, positionals } = parse(
        rest,
        {
          command: { type: 'string' },
          arg: { type: 'string', multiple: true },
          env: { type: 'string', multiple: true },
          cwd: { type: 'string' },
          url: { type: 'string' },
          header: { type: 'string', multiple: true },
          transport: { type: 'string' },
          'oauth-client-id': { type: 'string' },
          'oauth-client-secret': { type: 'string' },
          'oauth-client-metadata-url': { type: 'string' },
          'oauth-scope': { type: 'string' },
          'oauth-grant': { type: 'string' },
          'oauth-auth-method': { type: 'string' },
          'oauth-private-key': { type: 'string' },
          'default-action': { type: 'string' },
          replace: { type: 'boolean' },
          json: { type: 'boolean' },
        },
        ADD_USAGE,
      );
      const name = onePositional(positionals, 'a server name', ADD_USAGE);
      if (values.url !== undefined) {
        if (values.command !== undefined) throw new UsageError('give --command (a local server) or --url (a remote one), not both');
        const transport = values.transport ?? 'auto';
        if (!['http', 'sse', 'auto'].includes(transport)) throw new UsageError('--transport is http, sse or auto');
        const { server } = await (await context.control()).call(values.replace ? 'server.update' : 'server.add', {
          kind: 'remote',
          name,
          url: values.url,
          transport: transport as 'auto',
          headers: pairs(values.header ?? [], '--header'),
          ...oauthSettings(values),
          ...(values['default-action'] === undefined ? {} : { defaultAction: toAction(values['default-action']) }),
        });
        if (values.json) return context.out(JSON.stringify(server));
        context.out(`${values.replace ? 'replaced' : 'added'} remote server "${server.name}" (calls no rule covers: ${server.defaultAction})`);
        if (server.missingSecrets.length > 0) context.out(`note: it uses secrets that are not set yet: ${server.missingSecrets.join(', ')} (warden secret set NAME)`);
        return;
      }
      if (values.command === undefined) throw new UsageError(`--command (or --url) is required; usage: ${ADD_USAGE}`);
      const env = pairs(values.env ?? [], '--env');
      const control = await context.control();
      const { server } = await control.call(values.replace ? 'server.update' : 'server.add', {
        kind: 'stdio',
        name,
        command: values.command,
        args: values.arg ?? [],
        env,
        ...(values.cwd === undefined ? {} : { cwd: values.cwd }),
        ...(values['default-action'] === undefined ? {} : { defaultAction: toAction(values['default-action']) }),
      });
      if (values.json) return context.out(JSON.stringify(server));
      context.out(`${values.replace ? 'replaced' : 'added'} server "${server.name}" (calls no rule covers: ${server.defaultAction})`);
      if (server.missingSecrets.length > 0) {
        context.out(`note: it uses secrets that are not set yet: ${server.missingSecrets.join(', ')} (warden secret set NAME)`);
      }
      return;
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'warden server list [--json]');
      const { servers } = await (await context.control({ start: false })).call('server.list', {});
      if (values.json) return context.out(JSON.stringify(servers));
      if (servers.length === 0) return context.out('no servers yet; add one with: warden server add NAME --command C');
      context.out(
        table(
          ['NAME', 'STATE', 'DEFAULT', 'SESSIONS', 'SECRETS', 'SIGN-IN', 'COMMAND'],
          servers.map((s) => [
            s.name,
            !s.enabled ? 'disabled' : s.sessions > 0 ? 'running' : s.lastError ? 'error' : 'stopped',
            s.defaultAction,
            String(s.sessions),
            s.missingSecrets.length > 0 ? `missing: ${s.missingSecrets.join(',')}` : 'ok',
            !s.auth ? '-' : s.auth.state === 'signed-out' ? 'signed out' : s.auth.expiresAt ? `signed in (expires ${new Date(s.auth.expiresAt).toISOString().slice(0, 16)}Z)` : 'signed in',
            s.kind === 'remote' ? `${s.url} (${s.transport})` : [s.command, ...(s.args ?? [])].join(' '),
          ]),
        ),
      );
      return;
    }
    case 'remove': {
      const { positionals } = parse(rest, {}, 'warden server remove NAME');
      const name = onePositional(positionals, 'a server name', 'warden server remove NAME');
      await (await context.control()).call('server.remove', { name });
      context.out(`removed server "${name}"`);
      return;
    }
    case 'enable':
    case 'disable': {
      const usage = `warden server ${action} NAME`;
      const { positionals } = parse(rest, {}, usage);
      const name = onePositional(positionals, 'a server name', usage);
      await (await context.control()).call('server.setEnabled', { name, enabled: action === 'enable' });
      return context.out(action === 'enable' ? `enabled server "${name}"` : `disabled server "${name}": its sessions ended and new ones are refused`);
    }
    case 'default': {
      const usage = 'warden server default NAME allow|ask|deny';
      const { positionals } = parse(rest, {}, usage);
      if (positionals.length !== 2) throw new UsageError(`expected a server and an action; usage: ${usage}`);
      const result = await (await context.control()).call('server.setDefault', { name: positionals[0] as string, action: toAction(positionals[1]) });
      return context.out(`calls to "${result.name}" that no rule covers: ${result.action}`);
    }
    case 'preset': {
      const usage = 'warden server preset NAME readonly-annotations|allow-all|ask-all';
      const { positionals } = parse(rest, {}, usage);
      if (positionals.length !== 2) throw new UsageError(`expected a server and a preset; usage: ${usage}`);
      const preset = positionals[1] as string;
      if (!['readonly-annotations', 'allow-all', 'ask-all'].includes(preset)) throw new UsageError(`unknown preset "${preset}"; usage: ${usage}`);
      const { added, skipped } = await (await context.control()).call('server.preset', { name: positionals[0] as string, preset: preset as 'allow-all' });
      for (const rule of added) context.out(`added rule ${rule.id}: ${rule.target} = ${rule.action}`);
      for (const note of skipped) context.out(`kept deny: ${note}`);
      return;
    }
    default:
      throw new UsageError('usage: warden server add | list | remove | enable | disable | default | preset');
  }
};
