import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { Field, Saved } from '../components/field.js';
import { Empty, ErrorNote, time } from '../components/notice.js';
import { useAction, useForm, useQuery } from '../hooks.js';

function Secrets() {
  const { data, error, reload } = useQuery('secret.list', {});
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const action = useAction();
  const form = useForm(['name', 'value']);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await form.submit(async () => {
      const result = await api.call('secret.set', { name, value });
      return `${result.replaced ? 'Replaced' : 'Saved'} secret ${result.name}; use it as \${secret:${result.name}}.`;
    });
    if (ok) {
      setName('');
      setValue('');
      reload();
    }
  };
  return (
    <div className="card">
      <h2>Secrets</h2>
      <p className="muted">Values are encrypted in the vault and never shown again; servers use them as {'${secret:NAME}'}.</p>
      <ErrorNote message={error ?? action.error} />
      {data && data.secrets.length === 0 && <Empty>No secrets yet. Store an API key below, then use it in a server's environment.</Empty>}
      <table>
        <thead><tr><th>Name</th><th>Set</th><th>Used by</th><th /></tr></thead>
        <tbody>
          {data?.secrets.map((s) => (
            <tr key={s.name}>
              <td>{s.name}</td><td>{time(s.updatedAt)}</td><td>{s.usedBy.join(', ') || '—'}</td>
              <td>
                <button type="button" onClick={() => setName(s.name)} aria-label={`Replace ${s.name}`}>Replace</button>
                <button type="button" className="danger" aria-label={`Delete ${s.name}`} onClick={() => confirm(`Delete secret ${s.name}? Servers that use it will not start.`) && void action.run(() => api.call('secret.remove', { name: s.name })).then(reload)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={submit} className="row" aria-label="Set a secret">
        <Field label="Name" error={form.errorOf('name')}>
          {(props) => <input {...props} value={name} onChange={(e) => { form.touched('name'); setName(e.target.value); }} placeholder="GITHUB_TOKEN" required />}
        </Field>
        <Field label="Value" error={form.errorOf('value')}>
          {(props) => <input {...props} type="password" value={value} onChange={(e) => { form.touched('value'); setValue(e.target.value); }} autoComplete="off" required />}
        </Field>
        <button type="submit">Save secret</button>
      </form>
      <ErrorNote message={form.formError} />
      <Saved message={form.saved} />
    </div>
  );
}

/** A client config entry that launches Warden's aggregated session with this key: ready to paste. */
export function configEntry(key: string): string {
  return JSON.stringify({ mcpServers: { warden: { command: 'warden', args: ['stdio'], env: { WARDEN_CLIENT_KEY: key } } } }, null, 2);
}

/** The one-time key panel: the key, a config entry to paste, and copy buttons that say when they copied. */
function NewKey({ name, keyText, onDone }: { name: string; keyText: string; onDone: () => void }) {
  const [copied, setCopied] = useState<string | undefined>();
  const copy = (what: string, text: string): void => {
    if (!navigator.clipboard) {
      setCopied('This browser gives no clipboard here: select the text and copy it.');
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setCopied(`Copied the ${what}.`),
      () => setCopied(`Could not copy the ${what}: select it and press Ctrl+C (or ⌘C).`),
    );
  };
  return (
    <div className="banner new-key" role="region" aria-label="New client key">
      <p>The key for <strong>{name}</strong> is shown only now. Give it to the client as WARDEN_CLIENT_KEY, or paste this entry into its MCP config (Claude Desktop: claude_desktop_config.json):</p>
      <code data-testid="new-key">{keyText}</code>{' '}
      <button type="button" onClick={() => copy('key', keyText)}>Copy key</button>
      <pre className="args" data-testid="config-entry">{configEntry(keyText)}</pre>
      <div className="row">
        <button type="button" onClick={() => copy('config entry', configEntry(keyText))}>Copy config entry</button>
        <button type="button" onClick={onDone}>Done</button>
        <span role="status" className="saved">{copied ?? ''}</span>
      </div>
    </div>
  );
}

function ClientKeys() {
  const { data, error, reload } = useQuery('client.list', {});
  const activity = useQuery('client.activity', {});
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; key: string } | undefined>();
  const action = useAction();
  const form = useForm(['name']);
  const lastCall = new Map((activity.data?.clients ?? []).map((c) => [c.name, c.lastCallAt]));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await form.submit(async () => {
      const result = await api.call('client.add', { name });
      setCreated({ name: result.client.name, key: result.key });
      setName('');
      reload();
      return `Created a key for ${result.client.name}.`;
    });
  };
  const revoke = (client: string): void => {
    if (!confirm(`Revoke the key of ${client}? Its sessions end now, and it cannot be undone: the client needs a new key.`)) return;
    void action.run(() => api.call('client.revoke', { name: client })).then(reload);
  };
  return (
    <div className="card">
      <h2>Client keys</h2>
      <ErrorNote message={error ?? action.error} />
      {created && <NewKey name={created.name} keyText={created.key} onDone={() => setCreated(undefined)} />}
      {data && data.clients.length === 0 && <Empty>No client keys yet. Create one for each MCP client you connect.</Empty>}
      <table>
        <thead><tr><th>Name</th><th>Key</th><th>Created</th><th>Last call</th><th>State</th><th /></tr></thead>
        <tbody>
          {data?.clients.map((c) => (
            <tr key={c.name}>
              <td>{c.name}</td><td><code>{c.prefix}…</code></td><td>{time(c.createdAt)}</td>
              <td>{lastCall.has(c.name) ? time(lastCall.get(c.name) ?? null) : c.lastSeenAt ? `no call yet (connected ${time(c.lastSeenAt)})` : 'never'}</td>
              <td>{c.revoked ? 'revoked' : 'active'}</td>
              <td>{!c.revoked && <button type="button" className="danger" aria-label={`Revoke ${c.name}`} onClick={() => revoke(c.name)}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={submit} className="row" aria-label="Create a client key">
        <Field label="Client name" error={form.errorOf('name')}>
          {(props) => <input {...props} value={name} onChange={(e) => { form.touched('name'); setName(e.target.value); }} placeholder="claude-desktop" required />}
        </Field>
        <button type="submit">Create key</button>
      </form>
      <ErrorNote message={form.formError} />
      <Saved message={form.saved} />
    </div>
  );
}

export function KeysPage() {
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">Keys</h1>
      <Secrets />
      <ClientKeys />
    </section>
  );
}
