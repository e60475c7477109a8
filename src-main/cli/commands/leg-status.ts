import type { AggregatedSessionInfo } from '../../../src-shared/session-api.js';
import { isoTime } from '../format.js';

/**
 * The lines `warden status` adds for aggregated sessions: one per session (its client, tools
 * mode and servers by state), then one per failing server with its reason, since when, and
 * its log. Nothing when no aggregated session runs.
 */
export function legStatusLines(sessions: readonly AggregatedSessionInfo[]): string[] {
  const lines: string[] = [];
  for (const session of sessions) {
    const by = (state: string): string[] => session.legs.filter((leg) => leg.state === state).map((leg) => leg.server);
    const parts = (['running', 'starting', 'stopped', 'failing'] as const).flatMap((state) => {
      const servers = by(state);
      return servers.length > 0 ? [`${state}: ${servers.join(', ')}`] : [];
    });
    lines.push(`aggregated session of "${session.client}" (tools: ${session.tools}, since ${isoTime(session.startedAt)}): ${parts.length > 0 ? parts.join('; ') : 'no server started yet'}`);
    for (const leg of session.legs) {
      if (leg.state !== 'failing') continue;
      lines.push(`  failing: ${leg.server} since ${isoTime(leg.since)}: ${leg.reason ?? 'unknown reason'}; its log: ${leg.logPath ?? '-'}`);
    }
  }
  return lines;
}
