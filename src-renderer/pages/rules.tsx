import { useState, type FormEvent } from 'react';
import type { Action, RuleExplanation, TargetKind } from '../../src-shared/control-api.js';
import { api } from '../api.js';
import { ActionSelect } from '../components/action-select.js';
import { Empty, ErrorNote } from '../components/notice.js';
import { useAction, useQuery } from '../hooks.js';

function AddRule({ onAdded }: { onAdded: () => void }) {
  const [rule, setRule] = useState({ client: '*', server: '', kind: 'tool' as TargetKind, target: '', action: 'allow' as Action });
  const { run, error } = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await run(() => api.call('rule.add', rule))) onAdded();
  };
  return (
    <form onSubmit={submit} className="card" aria-label="Add a rule">
      <h2>Add a rule</h2>
      <div className="row">
        <label>Client <input value={rule.client} onChange={(e) => setRule({ ...rule, client: e.target.value })} /></label>
        <label>Server <input value={rule.server} onChange={(e) => setRule({ ...rule, server: e.target.value })} placeholder="github or *" required /></label>
        <label>
          Kind
          <select value={rule.kind} onChange={(e) => setRule({ ...rule, kind: e.target.value as TargetKind })}>
            <option value="tool">tool</option>
            <option value="resource">resource URI</option>
            <option value="prompt">prompt</option>
          </select>
        </label>
        <label>Pattern <input value={rule.target} onChange={(e) => setRule({ ...rule, target: e.target.value })} placeholder="get_*" required /></label>
        <label>
          Action
          <ActionSelect value={rule.action} onChange={(action) => setRule({ ...rule, action })} />
        </label>
        <button type="submit">Add rule</button>
      </div>
      <ErrorNote message={error} />
    </form>
  );
}

function Why() {
  const [query, setQuery] = useState({ client: '', server: '', target: '' });
  const [answer, setAnswer] = useState<RuleExplanation | undefined>();
  const { run, error } = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => setAnswer(await api.call('rule.explain', { ...query, kind: 'tool' })));
  };
  return (
    <form onSubmit={submit} className="card" aria-label="Why">
      <h2>Why?</h2>
      <div className="row">
        <label>Client <input value={query.client} onChange={(e) => setQuery({ ...query, client: e.target.value })} required /></label>
        <label>Server <input value={query.server} onChange={(e) => setQuery({ ...query, server: e.target.value })} required /></label>
        <label>Tool <input value={query.target} onChange={(e) => setQuery({ ...query, target: e.target.value })} required /></label>
        <button type="submit">Explain</button>
      </div>
      <ErrorNote message={error} />
      {answer && (
        <p role="status">
          <strong className={`action-${answer.action}`}>{answer.action}</strong>: {answer.reason}
        </p>
      )}
      <p className="muted">{answer?.order ?? 'The most specific matching rule wins: tool pattern first, then client, then server; exact names beat globs; at a tie deny beats ask beats allow.'}</p>
    </form>
  );
}

function Limits() {
  const { data, error, reload } = useQuery('limit.list', {});
  const [limit, setLimit] = useState({ client: '*', server: '*', target: '*', max: 60, seconds: 60 });
  const action = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await action.run(() => api.call('limit.add', { client: limit.client, server: limit.server, target: limit.target, max: limit.max, perMs: limit.seconds * 1000 }))) reload();
  };
  return (
    <div className="card">
      <h2>Rate limits</h2>
      <ErrorNote message={error ?? action.error} />
      {data && data.limits.length === 0 && <Empty>No limits of your own; the default per-client limit applies (Settings).</Empty>}
      <table>
        <thead><tr><th>#</th><th>Client</th><th>Server</th><th>Tool</th><th>Max</th><th>Per</th><th /></tr></thead>
        <tbody>
          {data?.limits.map((l) => (
            <tr key={l.id}>
              <td>{l.id}</td><td>{l.client}</td><td>{l.server}</td><td>{l.target}</td><td>{l.max}</td><td>{l.perMs / 1000} s</td>
              <td><button type="button" aria-label={`Delete limit ${l.id}`} onClick={() => void action.run(() => api.call('limit.remove', { id: l.id })).then(reload)}>Delete</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={submit} className="row" aria-label="Add a limit">
        <label>Client <input value={limit.client} onChange={(e) => setLimit({ ...limit, client: e.target.value })} /></label>
        <label>Server <input value={limit.server} onChange={(e) => setLimit({ ...limit, server: e.target.value })} /></label>
        <label>Tool <input value={limit.target} onChange={(e) => setLimit({ ...limit, target: e.target.value })} /></label>
        <label>Max <input type="number" min={1} value={limit.max} onChange={(e) => setLimit({ ...limit, max: Number(e.target.value) })} /></label>
        <label>Per seconds <input type="number" min={1} value={limit.seconds} onChange={(e) => setLimit({ ...limit, seconds: Number(e.target.value) })} /></label>
        <button type="submit">Add limit</button>
      </form>
    </div>
  );
}

export function RulesPage() {
  const { data, error, reload } = useQuery('rule.list', {});
  const action = useAction();
  return (
    <section aria-labelledby="rules-title">
      <h1 id="rules-title">Rules &amp; limits</h1>
      <ErrorNote message={error ?? action.error} />
      {data && data.rules.length === 0 && <Empty>No rules yet: every call gets its server's default action (new servers ask). Add a rule below.</Empty>}
      <table>
        <thead><tr><th>#</th><th>Client</th><th>Server</th><th>Kind</th><th>Pattern</th><th>Action</th><th /></tr></thead>
        <tbody>
          {data?.rules.map((r) => (
            <tr key={r.id}>
              <td>{r.id}</td><td>{r.client}</td><td>{r.server}</td><td>{r.kind}</td><td>{r.target}</td>
              <td className={`action-${r.action}`}>{r.action}</td>
              <td><button type="button" aria-label={`Delete rule ${r.id}`} onClick={() => void action.run(() => api.call('rule.remove', { id: r.id })).then(reload)}>Delete</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <AddRule onAdded={reload} />
      <Why />
      <Limits />
    </section>
  );
}
