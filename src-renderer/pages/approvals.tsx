import { useEffect, useState } from 'react';
import type { ApprovalAnswer, CallRecord, PendingApproval } from '../../src-shared/control-api.js';
import { api } from '../api.js';
import { Empty, ErrorNote, time } from '../components/notice.js';
import { useAction, useQuery } from '../hooks.js';

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

function Countdown({ deadline }: { deadline: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  return <span className="countdown" aria-live="off">{Math.max(0, Math.ceil((deadline - now) / 1000))} s left</span>;
}

/** One pending call: what, who, why, and the five answers. */
export function ApprovalCard({ approval, onAnswered, focused }: { approval: PendingApproval; onAnswered: () => void; focused: boolean }) {
  const { run, error } = useAction();
  const tools = useQuery('server.tools', { name: approval.server });
  const description = tools.data?.tools.find((t) => t.tool === approval.tool)?.description;
  const answer = (value: ApprovalAnswer) => void run(() => api.call('approvals.answer', { id: approval.id, answer: value })).then(onAnswered);
  return (
    <li className={focused ? 'card focused' : 'card'} aria-label={`Approval for ${approval.tool}`}>
      <div className="row">
        <h3>{approval.tool}</h3>
        <span>{approval.client} → {approval.server}</span>
        <Countdown deadline={approval.deadline} />
      </div>
      {description && <p className="muted">{description}</p>}
      <p>Why: {approval.reason}</p>
      <pre className="args">{pretty(approval.arguments)}</pre>
      <div className="row">
        <button type="button" className="primary" onClick={() => answer('allow-once')}>Allow once</button>
        <button type="button" onClick={() => answer('allow-session')}>Allow for session</button>
        <button type="button" onClick={() => answer('allow-always')}>Always allow</button>
        <button type="button" className="danger" onClick={() => answer('deny')}>Deny</button>
        <button type="button" className="danger" onClick={() => answer('deny-always')}>Always deny</button>
      </div>
      <ErrorNote message={error} />
    </li>
  );
}

export function ApprovalsPage() {
  const { data, error, reload } = useQuery('approvals.list', {});
  const recent = useQuery('log.query', { limit: 200 });
  useEffect(() => {
    const off = api.on('approval', () => {
      reload();
      recent.reload();
    });
    return off;
  }, [reload, recent.reload]);
  const first = data?.approvals[0];
  useEffect(() => {
    // Enter allows the first waiting call once, Esc denies it (not while typing in a field).
    const onKey = (event: KeyboardEvent) => {
      if (!first || (event.target as HTMLElement).closest('input, textarea, select')) return;
      if (event.key !== 'Enter' && event.key !== 'Escape') return;
      if (event.key === 'Enter' && (event.target as HTMLElement).tagName === 'BUTTON') return;
      event.preventDefault();
      void api.call('approvals.answer', { id: first.id, answer: event.key === 'Enter' ? 'allow-once' : 'deny' }).then(reload, reload);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [first, reload]);
  const decided = (recent.data?.calls ?? []).filter((c: CallRecord) => c.decision === 'ask' && c.outcome !== 'pending').reverse().slice(0, 20);
  return (
    <section aria-labelledby="approvals-title">
      <h1 id="approvals-title">Approvals</h1>
      <ErrorNote message={error} />
      {data && data.approvals.length === 0 && <Empty>No call is waiting for you. Calls that a rule sets to "ask" appear here.</Empty>}
      {first && <p className="muted">Enter allows the first call once; Esc denies it.</p>}
      <ul className="list">
        {data?.approvals.map((approval, i) => <ApprovalCard key={approval.id} approval={approval} onAnswered={reload} focused={i === 0} />)}
      </ul>
      <h2>Recent decisions</h2>
      <table>
        <thead><tr><th>When</th><th>Client</th><th>Server</th><th>Tool</th><th>Answer</th></tr></thead>
        <tbody>
          {decided.map((c) => (
            <tr key={c.id}>
              <td>{time(c.ts)}</td><td>{c.client}</td><td>{c.server}</td><td>{c.target}</td>
              <td>{c.notes ? (JSON.parse(c.notes) as { approval?: { answer: string } }).approval?.answer ?? c.outcome : c.outcome}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
