import { useEffect, useState } from 'react';
import { approvalAnswer } from '../../src-shared/call-kind.js';
import type { CallRecord } from '../../src-shared/control-api.js';
import { api } from '../api.js';
import { ApprovalCard } from '../components/approval-card.js';
import { duration, Empty, ErrorNote } from '../components/notice.js';
import { useQuery } from '../hooks.js';
import { useKillSwitch } from '../kill-switch.js';

const RECENT = 20;

/** Words for how an ask ended. */
const ANSWERS: Record<string, string> = {
  'allow-once': 'allowed once',
  'allow-session': 'allowed for the session',
  'allow-always': 'always allowed',
  deny: 'denied',
  'deny-always': 'always denied',
  timeout: 'timed out (denied)',
  paused: 'denied: Warden was paused',
};

/** Asked calls that have ended, newest first: loaded once, then kept up to date by the live log. */
function useRecentDecisions(): CallRecord[] {
  const [rows, setRows] = useState<CallRecord[]>([]);
  useEffect(() => {
    const decided = (row: CallRecord) => row.decision === 'ask' && row.outcome !== 'pending';
    let alive = true;
    void api.call('log.query', { limit: 1000 }).then((r) => alive && setRows(r.calls.filter(decided).reverse().slice(0, RECENT)), () => undefined);
    const off = api.on('call', (row) => {
      if (!decided(row)) return;
      setRows((current) => [row, ...current.filter((r) => r.id !== row.id)].slice(0, RECENT));
    });
    return () => {
      alive = false;
      off();
    };
  }, []);
  return rows;
}

export function ApprovalsPage() {
  const { data, error, reload } = useQuery('approvals.list', {});
  const { paused, set } = useKillSwitch();
  const recent = useRecentDecisions();
  useEffect(() => api.on('approval', reload), [reload]);
  const first = data?.approvals[0];
  useEffect(() => {
    // Enter allows the first waiting call once, Esc denies it (not while typing in a field).
    const onKey = (event: KeyboardEvent) => {
      if (!first || paused || (event.target as HTMLElement).closest('input, textarea, select')) return;
      if (event.key !== 'Enter' && event.key !== 'Escape') return;
      if (event.key === 'Enter' && (event.target as HTMLElement).tagName === 'BUTTON') return;
      event.preventDefault();
      void api.call('approvals.answer', { id: first.id, answer: event.key === 'Enter' ? 'allow-once' : 'deny' }).then(reload, reload);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [first, reload, paused]);
  return (
    <section aria-labelledby="approvals-title">
      <h1 id="approvals-title">Approvals</h1>
      <ErrorNote message={error} />
      {paused && (
        <div className="banner" role="status">
          Warden is paused: answers are refused, and every call that was waiting has been denied. Calls that ask appear here again once you{' '}
          <button type="button" onClick={() => void set(false)}>Resume</button>
        </div>
      )}
      {data && data.approvals.length === 0 && <Empty>No call is waiting for you. Calls that a rule sets to "ask" appear here.</Empty>}
      {first && !paused && <p className="muted">Enter allows the first call once; Esc denies it.</p>}
      <ul className="list">
        {data?.approvals.map((approval, i) => <ApprovalCard key={approval.id} approval={approval} onAnswered={reload} focused={i === 0} />)}
      </ul>
      <h2>Recent decisions</h2>
      {recent.length === 0 ? (
        <Empty>No asked call has been answered yet.</Empty>
      ) : (
        <table aria-label="Recent decisions">
          <thead><tr><th>Asked</th><th>Client</th><th>Server</th><th>Tool</th><th>Answer</th><th>Ended</th></tr></thead>
          <tbody>
            {recent.map((c) => {
              const answer = approvalAnswer(c.notes);
              return (
                <tr key={c.id}>
                  <td>{new Date(c.ts).toLocaleTimeString()}</td><td>{c.client}</td><td>{c.server}</td><td>{c.target}</td>
                  <td className={answer?.startsWith('allow') ? 'action-allow' : 'action-deny'}>{(answer && ANSWERS[answer]) ?? c.outcome}</td>
                  <td>{new Date(c.ts + (c.durationMs ?? 0)).toLocaleTimeString()} <span className="muted">({duration(c.durationMs)} after the ask)</span></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
