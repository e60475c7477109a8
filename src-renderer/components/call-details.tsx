import { useEffect, useRef } from 'react';
import { approvalAnswer, CALL_KIND_LABELS, type CallKind } from '../../src-shared/call-kind.js';
import type { CallRecord } from '../../src-shared/control-api.js';
import { cameOverHttp } from '../../src-shared/call-origin.js';
import { duration, time } from './notice.js';

function pretty(json: string | null): string {
  if (json === null) return '(none)';
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

/**
 * One call in full: who, what, the decision and why, the outcome and what came back. Text is
 * as the core logged it: secret values replaced by «secret:NAME», long values cut. Esc closes
 * it; at small widths it opens over the log.
 */
export function CallDetails({ call, kind, onClose }: { call: CallRecord; kind: CallKind; onClose: () => void }) {
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    panel.current?.focus();
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose, call.id]);
  const answer = approvalAnswer(call.notes);
  let hidden: string[] = [];
  try {
    hidden = call.notes ? ((JSON.parse(call.notes) as { hiddenContent?: string[] }).hiddenContent ?? []) : [];
  } catch {
    hidden = [];
  }
  return (
    <aside ref={panel} className="card details" aria-label="Call details" tabIndex={-1}>
      <div className="row details-title">
        <h2>#{call.id} {call.target ?? call.method}</h2>
        <button type="button" onClick={onClose} aria-label="Close details" title="Close (Esc)">×</button>
      </div>
      <dl>
        <dt>When</dt><dd>{time(call.ts)}</dd>
        <dt>Client → server</dt><dd>{call.client} → {call.server} <span className="muted">({call.method}{cameOverHttp(call.session ?? '') ? ', over HTTP' : ''})</span></dd>
        <dt>Decision</dt><dd>{call.decision}: {call.reason}</dd>
        {answer && (<><dt>Your answer</dt><dd>{answer}</dd></>)}
        <dt>Outcome</dt><dd>{CALL_KIND_LABELS[kind]}{call.repeats > 1 ? ` ×${call.repeats} (identical refusals folded into this row)` : ''}</dd>
        <dt>Took</dt><dd>{call.outcome === 'pending' ? 'still running' : duration(call.durationMs)}</dd>
        <dt>Result</dt>
        <dd data-testid="call-result">
          {call.error ? <pre className="args">{call.error}</pre> : call.outcome === 'ok' ? `${call.resultBytes ?? 0} bytes returned` : '—'}
          {hidden.length > 0 && <p className="error">Hidden content found in the result: {hidden.join(', ')}</p>}
          <p className="muted">Shown as logged: secrets replaced by «secret:NAME», long text cut. Warden logs a result's size and errors, not its content.</p>
        </dd>
      </dl>
      <h3>Arguments</h3>
      <pre className="args">{pretty(call.arguments)}</pre>
    </aside>
  );
}
