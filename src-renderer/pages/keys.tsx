import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { Empty, ErrorNote, time } from '../components/notice.js';
import { useAction, useQuery } from '../hooks.js';

function Secrets() {
  const { data, error, reload } = useQuery('secret.list', {});
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const action = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await action.run(() => api.call('secret.set', { name, value }))) {
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
                <button type="button" className="danger" aria-label={`Delete ${s.name}`} onClick={() => confirm(`Delete secret ${s.name}?`) && void action.run(() => api.call('secret.remove', { name: s.name })).then(reload)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={submit} className="row" aria-label="Set a secret">
        <label>Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="GITHUB_TOKEN" required /></label>
        <label>Value <input type="password" value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" required /></label>
        <button type="submit">Save secret</button>
      </form>
    </div>
  );
}

function ClientKeys() {
  const { data, error, reload } = useQuery('client.list', {});
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; key: string } | undefined>();
  const action = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await action.run(async () => {
      const result = await api.call('client.add', { name });
      setCreated({ name: result.client.name, key: result.key });
      setName('');
      reload();
    });
  };
  return (
    <div className="card">
      <h2>Client keys</h2>
      <ErrorNote message={error ?? action.error} />
      {created && (
        <div className="banner" role="status">
          <p>The key for <strong>{created.name}</strong> is shown only now. Give it to the client as WARDEN_CLIENT_KEY.</p>
          <code data-testid="new-key">{created.key}</code>{' '}
          <button type="button" onClick={() => void navigator.clipboard?.writeText(created.key)}>Copy</button>{' '}
          <button type="button" onClick={() => setCreated(undefined)}>Done</button>
        </div>
      )}
      {data && data.clients.length === 0 && <Empty>No client keys yet. Create one for each MCP client you connect.</Empty>}
      <table>
        <thead><tr><th>Name</th><th>Key</th><th>Created</th><th>Last seen</th><th>State</th><th /></tr></thead>
        <tbody>
          {data?.clients.map((c) => (
            <tr key={c.name}>
              <td>{c.name}</td><td><code>{c.prefix}…</code></td><td>{time(c.createdAt)}</td><td>{time(c.lastSeenAt)}</td>
              <td>{c.revoked ? 'revoked' : 'active'}</td>
              <td>{!c.revoked && <button type="button" className="danger" aria-label={`Revoke ${c.name}`} onClick={() => void action.run(() => api.call('client.revoke', { name: c.name })).then(reload)}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={submit} className="row" aria-label="Create a client key">
        <label>Client name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="claude-desktop" required /></label>
        <button type="submit">Create key</button>
      </form>
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
