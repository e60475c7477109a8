import { useState, type FormEvent } from 'react';
import type { Action, ServerInfo } from '../../src-shared/control-api.js';
import { api } from '../api.js';
import { ActionSelect } from '../components/action-select.js';
import { FlowLabelToggles } from '../components/flow-labels.js';
import { Empty, ErrorNote } from '../components/notice.js';
import { useAction, useQuery } from '../hooks.js';

/** A server's default action: the safe default, ask, listed first. */
const DEFAULT_ORDER: readonly Action[] = ['ask', 'allow', 'deny'];

/** Adds a server, or edits one (`initial`): the same form, prefilled. */
function ServerForm({ secrets, onDone, initial }: { secrets: string[]; onDone: () => void; initial?: ServerInfo }) {
  const [kind, setKind] = useState<'stdio' | 'remote'>(initial?.kind ?? 'stdio');
  const [url, setUrl] = useState(initial?.url ?? '');
  const [transport, setTransport] = useState<'auto' | 'http' | 'sse'>(initial?.transport ?? 'auto');
  const [name, setName] = useState(initial?.name ?? '');
  const [command, setCommand] = useState(initial?.command ?? '');
  const [args, setArgs] = useState((initial?.args ?? []).join('\n'));
  const [env, setEnv] = useState<Array<{ key: string; value: string }>>(
    Object.entries((initial?.kind === 'remote' ? initial.headers : initial?.env) ?? {}).map(([key, value]) => ({ key, value })),
  );
  const [defaultAction, setDefaultAction] = useState<Action>(initial?.defaultAction ?? 'ask');
  const { run, error } = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const pairs = Object.fromEntries(env.filter((e) => e.key).map((e) => [e.key, e.value]));
    const method = initial ? 'server.update' : 'server.add';
    const ok = await run(() =>
      kind === 'remote'
        ? api.call(method, { kind: 'remote', name, url, transport, headers: pairs, defaultAction })
        : api.call(method, { kind: 'stdio', name, command, args: args.split('\n').map((a) => a.trim()).filter(Boolean), env: pairs, defaultAction }),
    );
    if (ok) {
      if (!initial) {
        setName('');
        setCommand('');
        setArgs('');
        setEnv([]);
      }
      onDone();
    }
  };
  return (
    <form onSubmit={submit} className="card" aria-label={initial ? `Edit ${initial.name}` : 'Add a server'}>
      <h2>{initial ? `Edit ${initial.name}` : 'Add a server'}</h2>
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as 'stdio' | 'remote')}>
          <option value="stdio">local (a command Warden starts)</option>
          <option value="remote">remote (a URL)</option>
        </select>
      </label>
      <label>Name <input value={name} onChange={(e) => setName(e.target.value)} required readOnly={initial !== undefined} /></label>
      {kind === 'stdio' ? (
        <>
          <label>Command <input value={command} onChange={(e) => setCommand(e.target.value)} placeholder="npx" required /></label>
          <label>Arguments, one per line <textarea value={args} onChange={(e) => setArgs(e.target.value)} rows={3} /></label>
        </>
      ) : (
        <>
          <label>URL <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://mcp.example.com/mcp" required /></label>
          <label>
            Transport
            <select value={transport} onChange={(e) => setTransport(e.target.value as 'auto')}>
              <option value="auto">auto (Streamable HTTP, else SSE)</option>
              <option value="http">Streamable HTTP</option>
              <option value="sse">HTTP+SSE (legacy)</option>
            </select>
          </label>
          <p className="muted">Without an Authorization header, Warden signs in with OAuth when the server asks (Sign in, below).</p>
        </>
      )}
      {env.map((entry, i) => (
        <div className="row" key={i}>
          <label>Variable <input aria-label={`Variable ${i + 1} name`} value={entry.key} onChange={(e) => setEnv(env.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))} /></label>
          <label>Value <input aria-label={`Variable ${i + 1} value`} value={entry.value} onChange={(e) => setEnv(env.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} /></label>
          <label>
            Secret
            <select aria-label={`Variable ${i + 1} secret`} value="" onChange={(e) => e.target.value && setEnv(env.map((x, j) => (j === i ? { ...x, value: `\${secret:${e.target.value}}` } : x)))}>
              <option value="">use a secret…</option>
              {secrets.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
        </div>
      ))}
      <button type="button" onClick={() => setEnv([...env, { key: '', value: '' }])}>{kind === 'remote' ? 'Add a header' : 'Add a variable'}</button>
      <label>
        Calls no rule covers
        <ActionSelect value={defaultAction} onChange={setDefaultAction} order={DEFAULT_ORDER} />
      </label>
      <ErrorNote message={error} />
      {initial && <p className="muted">Saving ends the server's running sessions; clients start it again with the new settings.</p>}
      <button type="submit">{initial ? 'Save changes' : 'Add server'}</button>
    </form>
  );
}

function ServerTools({ server }: { server: string }) {
  const { data, error } = useQuery('server.tools', { name: server });
  const labels = useQuery('label.list', { server });
  if (error) return <ErrorNote message={error} />;
  if (!data) return null;
  if (data.tools.length === 0) return <p className="muted">No tools seen yet: they appear once a client lists them.</p>;
  return (
    <table>
      <thead><tr><th>Tool</th><th>Decision</th><th>Pin</th><th>Why</th><th>Flow labels</th></tr></thead>
      <tbody>
        {data.tools.map((t) => (
          <tr key={t.tool}>
            <td title={t.description ?? ''}>{t.tool}</td>
            <td className={`action-${t.decision}`}>{t.decision}</td>
            <td>{t.pin === 'changed' ? <strong>changed — held</strong> : 'approved'}</td>
            <td>{t.reason}</td>
            <td><FlowLabelToggles server={server} tool={t.tool} entry={labels.data?.entries.find((e) => e.tool === t.tool)} onChange={labels.reload} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ServerRow({ server, onChange, secrets }: { server: ServerInfo; onChange: () => void; secrets: string[] }) {
  const { run, error } = useAction();
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  const status = !server.enabled ? 'disabled' : server.sessions > 0 ? 'running' : server.lastError ? 'error' : 'stopped';
  return (
    <li className="card">
      <div className="row">
        <h3>{server.name}</h3>
        <span className={`status ${status}`}>{status === 'running' ? `running (${server.sessions} session(s))` : status}</span>
        {server.missingSecrets.length > 0 && <span className="status error">missing secrets: {server.missingSecrets.join(', ')}</span>}
        <label className="check">
          <input type="checkbox" checked={server.enabled} onChange={(e) => void run(() => api.call('server.setEnabled', { name: server.name, enabled: e.target.checked })).then(onChange)} />
          Enabled
        </label>
      </div>
      <code>{server.kind === 'remote' ? `${server.url} (${server.transport})` : [server.command, ...(server.args ?? [])].join(' ')}</code>
      {status === 'error' && server.lastError && (
        <div role="status">
          <p className="error">
            {new Date(server.lastError.at).toLocaleString()}: {server.lastError.reason}
          </p>
          <pre className="args" aria-label={`Last log lines of ${server.name}`}>{server.logTail.join('\n')}</pre>
        </div>
      )}
      <div className="row">
        <label>
          Calls no rule covers
          <ActionSelect value={server.defaultAction} onChange={(action) => void run(() => api.call('server.setDefault', { name: server.name, action })).then(onChange)} order={DEFAULT_ORDER} />
        </label>
        <label>
          Preset
          <select value="" onChange={(e) => e.target.value && void run(() => api.call('server.preset', { name: server.name, preset: e.target.value as 'allow-all' })).then(onChange)}>
            <option value="">apply a preset…</option>
            <option value="readonly-annotations">allow read-only tools, ask for the rest</option>
            <option value="allow-all">allow all</option>
            <option value="ask-all">ask for all</option>
          </select>
        </label>
        {server.auth && (
          <>
            <span className={server.auth.state === 'signed-in' ? 'status running' : 'status error'}>
              {server.auth.state === 'signed-in' ? `signed in${server.auth.expiresAt ? ` until ${new Date(server.auth.expiresAt).toLocaleString()}` : ''}` : 'signed out'}
            </span>
            {server.auth.state === 'signed-in' ? (
              <button type="button" onClick={() => void run(() => api.call('oauth.logout', { name: server.name })).then(onChange)}>Sign out</button>
            ) : (
              <button type="button" className="primary" onClick={() => void run(() => api.call('oauth.login', { name: server.name })).then(onChange)}>Sign in</button>
            )}
          </>
        )}
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? 'Hide tools' : 'Show tools'}</button>
        <button type="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>{editing ? 'Cancel edit' : 'Edit'}</button>
        <button type="button" className="danger" onClick={() => confirm(`Remove server ${server.name}?`) && void run(() => api.call('server.remove', { name: server.name })).then(onChange)}>
          Remove
        </button>
      </div>
      <ErrorNote message={error} />
      {editing && <ServerForm initial={server} secrets={secrets} onDone={() => (setEditing(false), onChange())} />}
      {open && <ServerTools server={server.name} />}
    </li>
  );
}

export function ServersPage() {
  const servers = useQuery('server.list', {});
  const secrets = useQuery('secret.list', {});
  const reload = () => {
    servers.reload();
    secrets.reload();
  };
  return (
    <section aria-labelledby="servers-title">
      <h1 id="servers-title">Servers</h1>
      <ErrorNote message={servers.error} />
      {servers.data && servers.data.servers.length === 0 && (
        <Empty>No servers yet. Add one below, or import Claude Desktop's under Settings → Clients.</Empty>
      )}
      <ul className="list">
        {servers.data?.servers.map((server) => (
          <ServerRow key={server.name} server={server} onChange={reload} secrets={secrets.data?.secrets.map((s) => s.name) ?? []} />
        ))}
      </ul>
      <ServerForm secrets={secrets.data?.secrets.map((s) => s.name) ?? []} onDone={reload} />
    </section>
  );
}
