import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CallRecord } from '../../src-shared/control-api.js';
import { api } from '../api.js';
import { Empty, ErrorNote, time } from '../components/notice.js';
import { useAction } from '../hooks.js';

const MAX_ROWS = 100_000;
const PAGE = 10_000;
const ROW_HEIGHT = 28;

/** Index of the row with `id` in rows sorted by id, or where it would go. */
function findId(rows: CallRecord[], id: number): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((rows[mid] as CallRecord).id < id) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Keeps the live log, oldest first, up to 100,000 rows: the newest page at once, older pages
 * in the background, then every event. A row is sent again when its call completes and is
 * replaced in place (binary search); new calls append. Events are applied once per animation
 * frame, so a burst of thousands per second costs one render per frame.
 */
function useLiveLog(): { rows: CallRecord[]; version: number; error: string | undefined } {
  const store = useRef<CallRecord[]>([]);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const rows = store.current;
    let pending: CallRecord[] = [];
    let frame = 0;
    let alive = true;
    const put = (row: CallRecord): void => {
      const last = rows[rows.length - 1];
      if (last === undefined || row.id > last.id) {
        rows.push(row);
        return;
      }
      const at = findId(rows, row.id);
      if (rows[at]?.id === row.id) rows[at] = row;
      else rows.splice(at, 0, row);
    };
    const flush = (): void => {
      frame = 0;
      for (const row of pending) put(row);
      pending = [];
      if (rows.length > MAX_ROWS) rows.splice(0, rows.length - MAX_ROWS);
      setVersion((v) => v + 1);
    };
    const queue = (batch: CallRecord[]): void => {
      pending.push(...batch);
      frame ||= requestAnimationFrame(flush);
    };
    const off = api.on('call', (row) => queue([row]));
    const loadOlder = async (beforeId: number | undefined, loaded: number): Promise<void> => {
      const { calls } = await api.call('log.query', beforeId === undefined ? { limit: PAGE } : { limit: PAGE, beforeId });
      if (!alive) return;
      queue(calls);
      const oldest = calls[0];
      if (oldest && calls.length === PAGE && loaded + calls.length < MAX_ROWS) setTimeout(() => void loadOlder(oldest.id, loaded + calls.length).catch(() => undefined), 50);
    };
    loadOlder(undefined, 0).catch((failure: Error) => setError(failure.message));
    return () => {
      alive = false;
      off();
      cancelAnimationFrame(frame);
    };
  }, []);
  return { rows: store.current, version, error };
}

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

const csvCell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function LogsPage() {
  const { rows, version, error } = useLiveLog();
  const [filter, setFilter] = useState({ client: '', server: '', tool: '', outcome: '', text: '' });
  const [selected, setSelected] = useState<CallRecord | undefined>();
  const [verify, setVerify] = useState<string | undefined>();
  const action = useAction();
  // Newest first. With no filter the rows are read in place, without a copy.
  const filtered = Object.values(filter).some(Boolean);
  const matches = useMemo(() => {
    if (!filtered) return undefined;
    const text = filter.text.toLowerCase();
    return rows.filter(
      (r) =>
        (!filter.client || r.client === filter.client) &&
        (!filter.server || r.server === filter.server) &&
        (!filter.tool || (r.target ?? '').includes(filter.tool)) &&
        (!filter.outcome || r.outcome === filter.outcome) &&
        (!text || `${r.target} ${r.arguments} ${r.error} ${r.reason}`.toLowerCase().includes(text)),
    );
    // `version` changes whenever the rows change in place.
  }, [rows, filter, filtered, version]);
  const count = matches ? matches.length : rows.length;
  const rowAt = (index: number): CallRecord => (matches ? matches[matches.length - 1 - index] : rows[rows.length - 1 - index]) as CallRecord;
  const shown = { length: count };
  const visibleRows = (): CallRecord[] => Array.from({ length: count }, (_, i) => rowAt(i));
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const options = useMemo(() => {
    const sets = { client: new Set<string>(), server: new Set<string>(), outcome: new Set<string>() };
    for (const r of rows) {
      sets.client.add(r.client);
      sets.server.add(r.server);
      sets.outcome.add(r.outcome);
    }
    return (key: 'client' | 'server' | 'outcome') => [...sets[key]].sort();
    // Recomputed when rows change (in place), at most once a second is plenty for menus.
  }, [rows, Math.floor(version / 60)]);
  return (
    <section aria-labelledby="logs-title" className="logs">
      <h1 id="logs-title">Logs</h1>
      <ErrorNote message={error ?? action.error} />
      <div className="row filters">
        {(['client', 'server', 'outcome'] as const).map((key) => (
          <label key={key}>
            {key}
            <select value={filter[key]} onChange={(e) => setFilter({ ...filter, [key]: e.target.value })}>
              <option value="">all</option>
              {options(key).map((value) => <option key={value} value={value}>{value}</option>)}
            </select>
          </label>
        ))}
        <label>tool <input value={filter.tool} onChange={(e) => setFilter({ ...filter, tool: e.target.value })} /></label>
        <label>text <input type="search" value={filter.text} onChange={(e) => setFilter({ ...filter, text: e.target.value })} /></label>
        <button type="button" onClick={() => download('warden-log.jsonl', visibleRows().map((r) => JSON.stringify(r)).join('\n') + '\n', 'application/x-ndjson')}>Export JSONL</button>
        <button
          type="button"
          onClick={() => {
            const keys = ['id', 'ts', 'client', 'server', 'method', 'target', 'outcome', 'decision', 'reason', 'durationMs', 'error'] as const;
            download('warden-log.csv', [keys.join(','), ...visibleRows().map((r) => keys.map((k) => csvCell(r[k])).join(','))].join('\n') + '\n', 'text/csv');
          }}
        >
          Export CSV
        </button>
        <button
          type="button"
          onClick={() =>
            void action.run(async () => {
              const report = await api.call('log.verify', {});
              setVerify(
                report.ok
                  ? `The log verifies: ${report.rows} row(s), untouched.`
                  : `The log does not verify: ${report.problemCount} problem(s). ${report.problems.map((p) => p.problem).join('; ')}`,
              );
            })
          }
        >
          Verify chain
        </button>
      </div>
      {verify && <p role="status">{verify}</p>}
      <p className="muted">{shown.length} of {rows.length} row(s)</p>
      {rows.length === 0 && !error ? <Empty>No calls logged yet. Calls appear here live as clients use their tools.</Empty> : null}
      <div className="log-body">
        <div ref={scroller} className="log-scroller" role="table" aria-label="Call log" aria-rowcount={shown.length}>
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {virtual.getVirtualItems().map((item) => {
              const r = rowAt(item.index);
              return (
                <div
                  key={r.id}
                  role="row"
                  tabIndex={0}
                  className={`log-row outcome-${r.outcome}${selected?.id === r.id ? ' selected' : ''}`}
                  style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                  onClick={() => setSelected(r)}
                  onKeyDown={(e) => e.key === 'Enter' && setSelected(r)}
                >
                  <span role="cell">{new Date(r.ts).toLocaleTimeString()}</span>
                  <span role="cell">{r.client}</span>
                  <span role="cell">{r.server}</span>
                  <span role="cell">{r.target ?? r.method}</span>
                  <span role="cell" className="outcome">{r.outcome}</span>
                  <span role="cell">{r.durationMs === null ? '' : `${Math.round(r.durationMs)} ms`}</span>
                </div>
              );
            })}
          </div>
        </div>
        {selected && (
          <aside className="card details" aria-label="Call details">
            <button type="button" onClick={() => setSelected(undefined)} aria-label="Close details">×</button>
            <h2>#{selected.id} {selected.target}</h2>
            <dl>
              <dt>When</dt><dd>{time(selected.ts)}</dd>
              <dt>Client → server</dt><dd>{selected.client} → {selected.server}</dd>
              <dt>Decision</dt><dd>{selected.decision}: {selected.reason}</dd>
              <dt>Outcome</dt><dd>{selected.outcome}{selected.error ? ` — ${selected.error}` : ''}</dd>
              <dt>Timing</dt><dd>{selected.durationMs === null ? '—' : `${selected.durationMs.toFixed(1)} ms`}, {selected.resultBytes ?? 0} bytes</dd>
              {selected.notes && (<><dt>Notes</dt><dd><code>{selected.notes}</code></dd></>)}
            </dl>
            <pre className="args">{selected.arguments}</pre>
          </aside>
        )}
      </div>
    </section>
  );
}
