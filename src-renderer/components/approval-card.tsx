import { useEffect, useState } from 'react';
import type { ApprovalAnswer, PendingApproval, ToolInfo } from '../../src-shared/control-api.js';
import { api } from '../api.js';
import { useAction, useQuery } from '../hooks.js';
import { useKillSwitch } from '../kill-switch.js';
import { ErrorNote } from './notice.js';

/** What each answer does, in words that name its scope. */
export function answerLabel(answer: ApprovalAnswer, approval: Pick<PendingApproval, 'client' | 'tool'>): string {
  switch (answer) {
    case 'allow-once':
      return 'Allow once';
    case 'allow-session':
      return `Allow ${approval.tool} for this session`;
    case 'allow-always':
      return `Always allow ${approval.client} → ${approval.tool}`;
    case 'deny':
      return 'Deny';
    case 'deny-always':
      return `Always deny ${approval.client} → ${approval.tool}`;
  }
}

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

/** The server's hints about a tool, as small tags (hints from the upstream, not guarantees). */
export function ToolHints({ info }: { info: ToolInfo | undefined }) {
  if (!info) return null;
  return (
    <span className="hints">
      {info.readOnly && <span className="tag ok">read-only</span>}
      {info.destructive && <span className="tag bad">destructive</span>}
      {info.openWorld && <span className="tag">open world</span>}
      {info.changed && <span className="tag bad">definition changed</span>}
    </span>
  );
}

const FULL: readonly ApprovalAnswer[] = ['allow-once', 'allow-session', 'allow-always', 'deny', 'deny-always'];
const COMPACT: readonly ApprovalAnswer[] = ['allow-once', 'allow-always', 'deny'];

/**
 * One waiting call: what, who, why, its tool's hints and the answers. `compact` (Overview)
 * shows the arguments on one line and three answers. While Warden is paused the answers are
 * off: the core refuses them, and it has already denied every waiting call.
 */
export function ApprovalCard({ approval, onAnswered, focused = false, compact = false }: { approval: PendingApproval; onAnswered: () => void; focused?: boolean; compact?: boolean }) {
  const { run, error } = useAction();
  const { paused } = useKillSwitch();
  const tools = useQuery('server.toolInfo', { name: approval.server });
  const info = tools.data?.tools.find((t) => t.tool === approval.tool);
  const answer = (value: ApprovalAnswer) => void run(() => api.call('approvals.answer', { id: approval.id, answer: value })).then(onAnswered);
  return (
    <li className={`card approval${focused ? ' focused' : ''}${compact ? ' compact' : ''}`} aria-label={`Approval for ${approval.tool}`}>
      <div className="row">
        <h3>{approval.tool}</h3>
        <span>{approval.client} → {approval.server}</span>
        <ToolHints info={info} />
        <Countdown deadline={approval.deadline} />
      </div>
      {!compact && info?.description && <p className="muted">{info.description}</p>}
      {compact ? <code className="one-line" title={approval.arguments}>{approval.arguments}</code> : <><p>Why: {approval.reason}</p><pre className="args">{pretty(approval.arguments)}</pre></>}
      <div className="row answers">
        {(compact ? COMPACT : FULL).map((value) => (
          <button key={value} type="button" className={value === 'allow-once' ? 'primary' : value.startsWith('deny') ? 'danger' : undefined} disabled={paused === true} onClick={() => answer(value)}>
            {answerLabel(value, approval)}
          </button>
        ))}
      </div>
      <ErrorNote message={error} />
    </li>
  );
}
