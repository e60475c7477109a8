import { useEffect, useState } from 'react';
import { CALL_KIND_LABELS } from '../../src-shared/call-kind.js';
import type { ProblemGroup, ServerInfo } from '../../src-shared/control-api.js';
import { api } from '../api.js';
import { ApprovalCard } from '../components/approval-card.js';
import { CallsChart } from '../components/calls-chart.js';
import { FailingLegs, useFailingLegs } from '../components/failing-legs.js';
import { FlowGroups } from '../components/flow-groups.js';
import { duration, Empty, ErrorNote, time } from '../components/notice.js';
import { useQuery } from '../hooks.js';
import { useKillSwitch } from '../kill-switch.js';

/** A server that needs the user, and why, in one sentence; undefined when it is fine. */
function serverTrouble(server: ServerInfo): string | undefined {
  if (!server.enabled) return 'stopped: it is disabled, so clients cannot use it';
  if (server.missingSecrets.length > 0) return `missing secret ${server.missingSecrets.join(', ')}: set it under Keys`;
  if (server.lastError) return `failing: ${server.lastError.reason} (${time(server.lastError.at)})`;
  if (server.auth?.state === 'signed-out') return 'signed out: sign in under Servers';
  return undefined;
}

/** The link to the log, filtered to one kind of problem since `since`. */
function logLink(group: ProblemGroup, since: number): string {
  return `#/logs?kind=${group.kind}&since=${since}`;
}

function Attention() {
  const approvals = useQuery('approvals.list', {});
  const problems = useQuery('log.problems', { minutes: 60 });
  const servers = useQuery('server.list', {});
  const failing = useFailingLegs();
  useEffect(() => {
    const timer = setInterval(() => {
      problems.reload();
      servers.reload();
    }, 5000);
    const offApproval = api.on('approval', approvals.reload);
    return () => {
      clearInterval(timer);
      offApproval();
    };
  }, [approvals.reload, problems.reload, servers.reload]);
  const asks = approvals.data?.approvals ?? [];
  const groups = problems.data?.groups ?? [];
  const troubled = (servers.data?.servers ?? []).flatMap((s) => {
    const why = serverTrouble(s);
    return why ? [{ name: s.name, why }] : [];
  });
  const loaded = approvals.data && problems.data && servers.data && failing.loaded;
  return (
    <section aria-labelledby="attention-title" className="attention">
      <h2 id="attention-title">Needs your attention</h2>
      <ErrorNote message={approvals.error ?? problems.error ?? servers.error ?? failing.error} />
      {loaded && asks.length === 0 && groups.length === 0 && troubled.length === 0 && failing.legs.length === 0 && <p className="all-clear">Nothing needs you: no call waits, nothing was refused or failed in the last hour.</p>}
      {asks.length > 0 && (
        <>
          <h3>Waiting for you</h3>
          <ul className="list asks">
            {asks.map((approval) => <ApprovalCard key={approval.id} approval={approval} onAnswered={approvals.reload} compact />)}
          </ul>
        </>
      )}
      {groups.length > 0 && (
        <>
          <h3>In the last hour</h3>
          <ul className="list problems" aria-label="Refused and failed calls in the last hour">
            {groups.map((group) => (
              <li key={group.kind}>
                <a href={logLink(group, problems.data?.since ?? 0)}>
                  <strong>{group.count}</strong> {CALL_KIND_LABELS[group.kind]}
                </a>{' '}
                <span className="muted">
                  latest {new Date(group.latestAt).toLocaleTimeString()}: {group.latest.client} → {group.latest.server}
                  {group.latest.target ? ` / ${group.latest.target}` : ''} — {group.latest.reason ?? group.latest.error}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {troubled.length > 0 && (
        <>
          <h3>Servers</h3>
          <ul className="list problems" aria-label="Servers that need you">
            {troubled.map((s) => (
              <li key={s.name}>
                <a href="#/servers">{s.name}</a> <span>{s.why}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <FailingLegs legs={failing.legs} />
    </section>
  );
}

function PauseControl() {
  const { paused, set } = useKillSwitch();
  const [error, setError] = useState<string | undefined>();
  if (paused === undefined) return null;
  return (
    <div className={paused ? 'banner pause-control' : 'pause-control'}>
      {paused ? (
        <>
          <span>Warden is paused: every call is refused and nothing waits for you.</span>
          <button type="button" className="primary" onClick={() => void set(false).then(setError)}>Resume</button>
        </>
      ) : (
        <button type="button" className="danger" onClick={() => void set(true).then(setError)} title="Refuse every call, and deny every waiting one, until you resume">
          Pause all calls
        </button>
      )}
      <ErrorNote message={error} />
    </div>
  );
}

export function OverviewPage() {
  const { data, error, reload } = useQuery('stats.overview', { minutes: 60 });
  useEffect(() => {
    const timer = setInterval(reload, 5000);
    return () => clearInterval(timer);
  }, [reload]);
  const total = data ? data.perMinute.reduce((sum, p) => sum + p.ok + p.error + p.denied + p.other, 0) : 0;
  return (
    <section aria-labelledby="overview-title">
      <div className="row title-row">
        <h1 id="overview-title">Overview</h1>
        <PauseControl />
      </div>
      <Attention />
      <ErrorNote message={error} />
      {!data ? (
        <p>Loading…</p>
      ) : (
        <>
          <h2>Calls, last hour</h2>
          {total === 0 ? (
            <Empty>No calls in the last hour. Add a server under Servers, make a client key under Keys, and point a client at Warden.</Empty>
          ) : (
            <CallsChart perMinute={data.perMinute} />
          )}
          <div className="columns">
            <div>
              <h2>Top tools</h2>
              <table>
                <thead>
                  <tr><th>Server</th><th>Tool</th><th>Calls</th></tr>
                </thead>
                <tbody>
                  {data.topTools.map((t) => (
                    <tr key={`${t.server}/${t.tool}`}><td>{t.server}</td><td>{t.tool}</td><td>{t.calls}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div>
              <h2>Latency</h2>
              <table>
                <thead>
                  <tr><th>Server</th><th>p50</th><th>p95</th><th>Calls</th></tr>
                </thead>
                <tbody>
                  {data.latency.map((l) => (
                    <tr key={l.server}><td>{l.server}</td><td>{duration(l.p50)}</td><td>{duration(l.p95)}</td><td>{l.calls}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </>
      )}
      <FlowGroups />
    </section>
  );
}
