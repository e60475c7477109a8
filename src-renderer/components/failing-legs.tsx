import { useEffect } from 'react';
import type { AggregatedSessionInfo, LegStatus } from '../../src-shared/session-api.js';
import { useQuery } from '../hooks.js';
import { time } from './notice.js';

/** A failing server of one aggregated session. */
export interface FailingLeg {
  session: string;
  client: string;
  leg: LegStatus;
}

/** The failing servers of every running aggregated session, polled every 5 s. */
export function useFailingLegs(): { legs: FailingLeg[]; loaded: boolean; error: string | undefined } {
  const { data, error, reload } = useQuery('sessions.aggregated', {});
  useEffect(() => {
    const timer = setInterval(reload, 5000);
    return () => clearInterval(timer);
  }, [reload]);
  const sessions: AggregatedSessionInfo[] = data?.sessions ?? [];
  const legs = sessions.flatMap((session) => session.legs.filter((leg) => leg.state === 'failing').map((leg) => ({ session: session.id, client: session.client, leg })));
  return { legs, loaded: data !== undefined, error };
}

/**
 * The failing servers of aggregated sessions: which server, in whose session, why, since
 * when, and where its log is. The other servers of those sessions keep working.
 */
export function FailingLegs({ legs }: { legs: FailingLeg[] }) {
  if (legs.length === 0) return null;
  return (
    <>
      <h3>Aggregated sessions</h3>
      <ul className="list problems" aria-label="Servers failing in aggregated sessions">
        {legs.map(({ session, client, leg }) => (
          <li key={`${session}/${leg.server}`}>
            <a href="#/servers">{leg.server}</a>{' '}
            <span>
              failing in the aggregated session of {client} since {time(leg.since)}: {leg.reason}
            </span>{' '}
            <span className="muted">
              (its other servers keep working{leg.logPath && !(leg.reason ?? '').includes(leg.logPath) ? <>; log: <code>{leg.logPath}</code></> : null})
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}
