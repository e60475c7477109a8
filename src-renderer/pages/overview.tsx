import { useEffect } from 'react';
import { api } from '../api.js';
import { CallsChart } from '../components/calls-chart.js';
import { Empty, ErrorNote } from '../components/notice.js';
import { useQuery } from '../hooks.js';

export function OverviewPage() {
  const { data, error, reload } = useQuery('stats.overview', { minutes: 60 });
  useEffect(() => {
    const timer = setInterval(reload, 5000);
    const off = api.on('approval', reload);
    return () => {
      clearInterval(timer);
      off();
    };
  }, [reload]);
  if (error) return <ErrorNote message={error} />;
  if (!data) return <p>Loading…</p>;
  const total = data.perMinute.reduce((sum, p) => sum + p.ok + p.error + p.denied + p.other, 0);
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {data.paused && <p className="banner">Warden is paused: every call is refused. Resume it in Settings.</p>}
      <p>
        <a href="#/approvals">{data.pendingApprovals} call(s) waiting for approval</a>
      </p>
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
              <tr><th>Server</th><th>p50 ms</th><th>p95 ms</th><th>Calls</th></tr>
            </thead>
            <tbody>
              {data.latency.map((l) => (
                <tr key={l.server}><td>{l.server}</td><td>{l.p50.toFixed(1)}</td><td>{l.p95.toFixed(1)}</td><td>{l.calls}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
