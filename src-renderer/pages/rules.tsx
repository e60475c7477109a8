import { useState, type FormEvent } from 'react';
import type { Action, LogFacets, Rule, RuleExplanation, TargetKind } from '../../src-shared/control-api.js';
import { describeRule } from '../../src-shared/policy-types.js';
import { api } from '../api.js';
import { ActionSelect } from '../components/action-select.js';
import { Field, Saved } from '../components/field.js';
import { NamePicker } from '../components/name-picker.js';
import { Empty, ErrorNote, time } from '../components/notice.js';
import { useAction, useForm, useQuery } from '../hooks.js';
import { Limits } from './limits.js';

/** Names a picker offers: clients, servers, and the tools of the chosen server (or of all). */
function known(facets: LogFacets | undefined, server: string) {
  if (!facets) return { clients: undefined, servers: undefined, tools: undefined };
  const tools = facets.tools.filter((t) => !server || server === '*' || t.server === server).map((t) => t.tool);
  return { clients: facets.clients, servers: facets.servers, tools: [...new Set(tools)] };
}

function AddRule({ facets, onAdded }: { facets: LogFacets | undefined; onAdded: () => void }) {
  const [rule, setRule] = useState({ client: '*', server: '', kind: 'tool' as TargetKind, target: '', action: 'allow' as Action });
  const form = useForm(['client', 'server', 'kind', 'target', 'action']);
  const names = known(facets, rule.server);
  const change = (field: keyof typeof rule, value: string): void => {
    form.touched(field);
    setRule({ ...rule, [field]: value });
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await form.submit(async () => `Saved ${describeRule((await api.call('rule.add', rule)).rule)}.`);
    if (ok) onAdded();
  };
  return (
    <form onSubmit={submit} className="card" aria-label="Add a rule">
      <h2>Add a rule</h2>
      <div className="row">
        <NamePicker label="Client" what="client" value={rule.client} known={names.clients} onChange={(v) => change('client', v)} error={form.errorOf('client')} />
        <NamePicker label="Server" what="server" value={rule.server} known={names.servers} onChange={(v) => change('server', v)} error={form.errorOf('server')} placeholder="github or *" required />
        <Field label="Kind" error={form.errorOf('kind')}>
          {(props) => (
            <select {...props} value={rule.kind} onChange={(e) => change('kind', e.target.value)}>
              <option value="tool">tool</option>
              <option value="resource">resource URI</option>
              <option value="prompt">prompt</option>
            </select>
          )}
        </Field>
        <NamePicker label="Pattern" what="tool" value={rule.target} known={rule.kind === 'tool' ? names.tools : undefined} onChange={(v) => change('target', v)} error={form.errorOf('target')} placeholder="get_*" required />
        <Field label="Action" error={form.errorOf('action')}>
          {(props) => <ActionSelect {...props} value={rule.action} onChange={(action) => change('action', action)} />}
        </Field>
        <button type="submit">Add rule</button>
      </div>
      <ErrorNote message={form.formError} />
      <Saved message={form.saved} />
    </form>
  );
}

function Why({ facets }: { facets: LogFacets | undefined }) {
  const [query, setQuery] = useState({ client: '', server: '', target: '' });
  const [answer, setAnswer] = useState<RuleExplanation | undefined>();
  const { run, error } = useAction();
  const names = known(facets, query.server);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => setAnswer(await api.call('rule.explain', { ...query, kind: 'tool' })));
  };
  return (
    <form onSubmit={submit} className="card" aria-label="Why">
      <h2>Why?</h2>
      <div className="row">
        <NamePicker label="Client" what="client" value={query.client} known={names.clients} onChange={(client) => setQuery({ ...query, client })} required />
        <NamePicker label="Server" what="server" value={query.server} known={names.servers} onChange={(server) => setQuery({ ...query, server })} required />
        <NamePicker label="Tool" what="tool" value={query.target} known={names.tools} onChange={(target) => setQuery({ ...query, target })} required />
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

/** Each server's default action (what calls no rule covers get), how often it decided, and a way to change it. */
function ServerDefaults({ hits, onChanged }: { hits: Map<string, number>; onChanged: () => void }) {
  const { data, error, reload } = useQuery('server.list', {});
  const action = useAction();
  if (data && data.servers.length === 0) return null;
  return (
    <div className="card">
      <h2>Server defaults</h2>
      <p className="muted">What a call gets when no rule matches it.</p>
      <ErrorNote message={error ?? action.error} />
      <table aria-label="Server defaults">
        <thead><tr><th>Server</th><th>Default</th><th>Hits</th></tr></thead>
        <tbody>
          {data?.servers.map((s) => (
            <tr key={s.name}>
              <td>{s.name}</td>
              <td>
                <ActionSelect aria-label={`Default of ${s.name}`} value={s.defaultAction} onChange={(value) => void action.run(() => api.call('server.setDefault', { name: s.name, action: value })).then(() => { reload(); onChanged(); })} />
              </td>
              <td>{hits.get(s.name) ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RulesPage() {
  const { data, error, reload } = useQuery('rule.list', {});
  const hits = useQuery('stats.ruleHits', {});
  const facets = useQuery('log.facets', {});
  const action = useAction();
  const [removed, setRemoved] = useState<Rule | undefined>();
  const refresh = (): void => {
    reload();
    hits.reload();
  };
  const ruleHits = new Map((hits.data?.rules ?? []).map((r) => [r.id, r]));
  const remove = (rule: Rule): void =>
    void action.run(() => api.call('rule.remove', { id: rule.id })).then((ok) => {
      if (ok) setRemoved(rule);
      refresh();
    });
  const undo = (rule: Rule): void =>
    void action.run(() => api.call('rule.add', { client: rule.client, server: rule.server, kind: rule.kind, target: rule.target, action: rule.action })).then((ok) => {
      if (ok) setRemoved(undefined);
      refresh();
    });
  return (
    <section aria-labelledby="rules-title">
      <h1 id="rules-title">Rules &amp; limits</h1>
      <ErrorNote message={error ?? action.error} />
      {removed && (
        <p className="banner" role="status">
          Deleted {describeRule(removed)}. <button type="button" onClick={() => undo(removed)}>Undo</button>
        </p>
      )}
      {data && data.rules.length === 0 && <Empty>No rules yet: every call gets its server's default action (new servers ask). Add a rule below.</Empty>}
      {data && data.rules.length > 0 && (
        <table aria-label="Rules">
          <thead><tr><th>#</th><th>Client</th><th>Server</th><th>Kind</th><th>Pattern</th><th>Action</th><th>Hits</th><th>Last hit</th><th /></tr></thead>
          <tbody>
            {data.rules.map((r) => (
              <tr key={r.id}>
                <td>{r.id}</td><td>{r.client}</td><td>{r.server}</td><td>{r.kind}</td><td>{r.target}</td>
                <td className={`action-${r.action}`}>{r.action}</td>
                <td>{ruleHits.get(r.id)?.hits ?? 0}</td>
                <td>{ruleHits.has(r.id) ? time(ruleHits.get(r.id)?.lastAt ?? null) : 'never'}</td>
                <td><button type="button" className="danger" aria-label={`Delete rule ${r.id}`} onClick={() => remove(r)}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ServerDefaults hits={new Map((hits.data?.defaults ?? []).map((d) => [d.server, d.hits]))} onChanged={refresh} />
      <AddRule facets={facets.data} onAdded={refresh} />
      <Why facets={facets.data} />
      <Limits facets={facets.data} />
    </section>
  );
}
