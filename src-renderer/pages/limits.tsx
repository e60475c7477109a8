import { useState, type FormEvent } from 'react';
import type { LimitInfo, LogFacets } from '../../src-shared/control-api.js';
import { api } from '../api.js';
import { Field, Saved } from '../components/field.js';
import { NamePicker } from '../components/name-picker.js';
import { Empty, ErrorNote } from '../components/notice.js';
import { useAction, useForm, useQuery } from '../hooks.js';

const describe = (l: Pick<LimitInfo, 'client' | 'server' | 'target' | 'max' | 'perMs'>): string => `${l.max} calls per ${l.perMs / 1000} s for ${l.client} → ${l.server} / ${l.target}`;

/** Rate limits: the table (delete with undo) and the form (errors by field). */
export function Limits({ facets }: { facets: LogFacets | undefined }) {
  const { data, error, reload } = useQuery('limit.list', {});
  const [limit, setLimit] = useState({ client: '*', server: '*', target: '*', max: 60, seconds: 60 });
  const [removed, setRemoved] = useState<LimitInfo | undefined>();
  const action = useAction();
  const form = useForm(['client', 'server', 'target', 'max', 'perMs']);
  const change = (field: string, changes: Partial<typeof limit>): void => {
    form.touched(field);
    setLimit({ ...limit, ...changes });
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const spec = { client: limit.client, server: limit.server, target: limit.target, max: limit.max, perMs: Math.round(limit.seconds * 1000) };
    if (await form.submit(async () => `Saved limit ${(await api.call('limit.add', spec)).limit.id}: ${describe(spec)}.`)) reload();
  };
  const restore = (l: LimitInfo): void =>
    void action.run(() => api.call('limit.add', { client: l.client, server: l.server, target: l.target, max: l.max, perMs: l.perMs })).then((ok) => {
      if (ok) setRemoved(undefined);
      reload();
    });
  const tools = [...new Set((facets?.tools ?? []).filter((t) => limit.server === '*' || t.server === limit.server).map((t) => t.tool))];
  return (
    <div className="card">
      <h2>Rate limits</h2>
      <p className="muted">A limit lets at most Max calls through in any window of the given length.</p>
      <ErrorNote message={error ?? action.error} />
      {removed && (
        <p className="banner" role="status">
          Deleted the limit of {describe(removed)}. <button type="button" onClick={() => restore(removed)}>Undo</button>
        </p>
      )}
      {data && data.limits.length === 0 && <Empty>No limits of your own; the default per-client limit applies (Settings).</Empty>}
      {data && data.limits.length > 0 && (
        <table aria-label="Rate limits">
          <thead><tr><th>#</th><th>Client</th><th>Server</th><th>Tool</th><th>Max</th><th>Per</th><th /></tr></thead>
          <tbody>
            {data.limits.map((l) => (
              <tr key={l.id}>
                <td>{l.id}</td><td>{l.client}</td><td>{l.server}</td><td>{l.target}</td><td>{l.max}</td><td>{l.perMs / 1000} s</td>
                <td>
                  <button type="button" className="danger" aria-label={`Delete limit ${l.id}`} onClick={() => void action.run(() => api.call('limit.remove', { id: l.id })).then((ok) => { if (ok) setRemoved(l); reload(); })}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={submit} className="row" aria-label="Add a limit">
        <NamePicker label="Client" what="client" value={limit.client} known={facets?.clients} onChange={(client) => change('client', { client })} error={form.errorOf('client')} />
        <NamePicker label="Server" what="server" value={limit.server} known={facets?.servers} onChange={(server) => change('server', { server })} error={form.errorOf('server')} />
        <NamePicker label="Tool" what="tool" value={limit.target} known={facets ? tools : undefined} onChange={(target) => change('target', { target })} error={form.errorOf('target')} />
        <Field label="Max" error={form.errorOf('max')}>
          {(props) => <input {...props} type="number" value={limit.max} onChange={(e) => change('max', { max: Number(e.target.value) })} />}
        </Field>
        <Field label="Per seconds" error={form.errorOf('perMs')}>
          {(props) => <input {...props} type="number" value={limit.seconds} onChange={(e) => change('perMs', { seconds: Number(e.target.value) })} />}
        </Field>
        <button type="submit">Add limit</button>
      </form>
      <ErrorNote message={form.formError} />
      <Saved message={form.saved} />
    </div>
  );
}
