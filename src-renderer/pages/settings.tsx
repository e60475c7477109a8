import { useState, type FormEvent } from 'react';
import type { UserSettings } from '../../src-shared/control-api.js';
import { api } from '../api.js';
import { ErrorNote } from '../components/notice.js';
import { useAction, useQuery } from '../hooks.js';

const FIELDS: Array<{ key: keyof UserSettings; label: string }> = [
  { key: 'approvalTimeoutSeconds', label: 'Approval timeout (seconds, at most 55)' },
  { key: 'defaultClientLimitPerMinute', label: 'Default calls per minute per client' },
  { key: 'maxArgumentBytes', label: 'Largest arguments (bytes)' },
  { key: 'logRetentionDays', label: 'Keep the log for (days)' },
  { key: 'logMaxRows', label: 'Keep at most (rows)' },
  { key: 'logMaxMiB', label: 'Keep at most (MiB)' },
  { key: 'upstreamIdleStopSeconds', label: 'Stop a server idle in an aggregated session after (seconds, 0 = never)' },
];

function Clients() {
  const { data, error, reload } = useQuery('clients.status', {});
  const action = useAction();
  const [message, setMessage] = useState<string | undefined>();
  const act = (work: () => Promise<string>) => void action.run(async () => setMessage(await work())).then(reload);
  return (
    <div className="card">
      <h2>Clients</h2>
      <ErrorNote message={error ?? action.error} />
      {message && <p role="status">{message}</p>}
      <table>
        <thead><tr><th>Client</th><th>State</th><th>Config</th><th /></tr></thead>
        <tbody>
          {data?.clients.map((c) => {
            const drifted = c.entries.filter((e) => e.state === 'drifted').length;
            const connected = c.entries.filter((e) => e.state === 'connected').length;
            const state = !c.exists ? 'not detected' : drifted > 0 ? `drifted (${drifted})` : connected > 0 ? `connected (${connected})` : c.entries.length > 0 ? 'imported' : 'detected';
            return (
              <tr key={`${c.app}:${c.configPath}`}>
                <td>{c.label}</td><td>{state}</td><td><code>{c.configPath}</code></td>
                <td>
                  {c.exists && (
                    <button
                      type="button"
                      onClick={() =>
                        act(async () => {
                          if (c.entries.length === 0) await api.call('clients.import', { app: c.app, configPath: c.configPath, keepEnv: [], defaultAction: 'ask' });
                          const report = await api.call('clients.connect', { app: c.app, configPath: c.configPath, dryRun: false });
                          return `${c.label}: ${report.changes.length} entr(y/ies) now launch Warden; restart ${c.label}.`;
                        })
                      }
                    >
                      Connect
                    </button>
                  )}
                  {connected > 0 && (
                    <button
                      type="button"
                      onClick={() =>
                        act(async () => {
                          const report = await api.call('clients.disconnect', { app: c.app, configPath: c.configPath, restoreSecrets: false, dryRun: false });
                          return `${c.label}: restored ${report.restored.length}; left ${report.left.map((l) => `${l.entry} (${l.why})`).join(', ') || 'none'}.`;
                        })
                      }
                    >
                      Disconnect
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Vault() {
  const { data, reload } = useQuery('status', {});
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (passphrase !== repeat) return void action.run(() => Promise.reject(new Error('the two passphrases differ')));
    if (await action.run(() => api.call('vault.usePassphrase', { passphrase }))) {
      setDone(true);
      setPassphrase('');
      setRepeat('');
      reload();
    }
  };
  return (
    <div className="card">
      <h2>Vault</h2>
      <p>Secrets are protected by: <strong>{data?.vault.description ?? '…'}</strong></p>
      {data?.vault.warning && <p className="banner">{data.vault.warning}</p>}
      {done && <p role="status">Sealed with your passphrase. Warden asks for it each time it starts.</p>}
      {data?.vault.description !== 'passphrase' && (
        <form onSubmit={submit} aria-label="Use a passphrase">
          <p className="muted">Instead, seal them with a passphrase (at least 12 characters) that Warden asks for at every start; it is never stored.</p>
          <label>Passphrase <input type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="new-password" /></label>
          <label>Repeat it <input type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} autoComplete="new-password" /></label>
          <ErrorNote message={action.error} />
          <button type="submit">Use this passphrase</button>
        </form>
      )}
    </div>
  );
}

export function SettingsPage() {
  const { data, error, reload } = useQuery('settings.get', {});
  const action = useAction();
  const [draft, setDraft] = useState<Partial<UserSettings>>({});
  if (error) return <ErrorNote message={error} />;
  if (!data) return <p>Loading…</p>;
  const settings = { ...data.settings, ...draft };
  const save = () => void action.run(() => api.call('settings.set', draft)).then((ok) => ok && (setDraft({}), reload()));
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <div className="card">
        <h2>Kill switch</h2>
        <p>{data.settings.paused ? 'Paused: every call is refused.' : 'Running: calls are decided by the rules.'}</p>
        <button type="button" className={data.settings.paused ? 'primary' : 'danger'} onClick={() => void action.run(() => api.call('settings.set', { paused: !data.settings.paused })).then(reload)}>
          {data.settings.paused ? 'Resume' : 'Pause all tool calls'}
        </button>
      </div>
      <form className="card" aria-label="Settings" onSubmit={(e) => (e.preventDefault(), save())}>
        {FIELDS.map((field) => (
          <label key={field.key}>
            {field.label}
            <input type="number" value={String(settings[field.key])} onChange={(e) => setDraft({ ...draft, [field.key]: Number(e.target.value) })} />
          </label>
        ))}
        <label className="check">
          <input type="checkbox" checked={settings.autoReconnect} onChange={(e) => setDraft({ ...draft, autoReconnect: e.target.checked })} />
          Point client entries back at Warden when a client rewrites them
        </label>
        <ErrorNote message={action.error} />
        <button type="submit" disabled={Object.keys(draft).length === 0}>Save settings</button>
      </form>
      <Vault />
      <Clients />
    </section>
  );
}
