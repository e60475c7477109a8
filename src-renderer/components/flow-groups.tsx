import { useEffect } from 'react';
import type { FlowGroupInfo } from '../../src-shared/flow-api.js';
import { useQuery } from '../hooks.js';
import { Empty, ErrorNote, time } from './notice.js';

function who(group: FlowGroupInfo): string {
  if (group.kind === 'session') return `${group.client} — one session`;
  if (group.kind === 'process') return `${group.client} — process ${group.parentPid}`;
  return `${group.client} — shims that named no process`;
}

function state(group: FlowGroupInfo): { text: string; className: string } {
  if (group.released) return { text: 'flow guard released by you for this conversation', className: 'muted' };
  if (group.readPrivate && group.readUntrusted) return { text: 'read private data and untrusted content: calls that can send data out are held', className: 'action-ask' };
  return { text: 'not holding', className: 'action-allow' };
}

/**
 * The conversations the flow guard follows, each with its legs (the labelled tools it called),
 * refreshed every 5 s. A conversation that read private data and untrusted content says so.
 */
export function FlowGroups() {
  const { data, error, reload } = useQuery('flow.groups', {});
  useEffect(() => {
    const timer = setInterval(reload, 5000);
    return () => clearInterval(timer);
  }, [reload]);
  if (error) return <ErrorNote message={error} />;
  if (!data) return null;
  return (
    <section aria-labelledby="flow-title">
      <h2 id="flow-title">Conversations (flow guard)</h2>
      {data.groups.length === 0 ? (
        <Empty>No conversations yet. Each client session appears here with the private, untrusted and external tools it called.</Empty>
      ) : (
        data.groups.map((group) => {
          const shown = state(group);
          return (
            <article className="card" key={group.id} aria-label={`Conversation ${group.id}`}>
              <div className="row">
                <h3>{who(group)}</h3>
                <span className="status">{group.connections} connection(s)</span>
                <span className={shown.className}>{shown.text}</span>
              </div>
              {group.legs.length === 0 ? (
                <p className="muted">No legs yet: no labelled tool called.</p>
              ) : (
                <table>
                  <thead><tr><th>Leg</th><th>Labels</th><th>Calls</th><th>Last</th></tr></thead>
                  <tbody>
                    {group.legs.map((leg) => (
                      <tr key={`${leg.server}/${leg.tool}`}><td>{leg.server} → {leg.tool}</td><td>{leg.labels.join(', ')}</td><td>{leg.calls}</td><td>{time(leg.lastAt)}</td></tr>
                    ))}
                  </tbody>
                </table>
              )}
              {group.moreLegs > 0 && <p className="muted">and {group.moreLegs} more call(s) to legs not kept</p>}
            </article>
          );
        })
      )}
    </section>
  );
}
