import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { CALL_KIND_LABELS, CALL_KINDS, callKind, REFUSED_KINDS, type CallKind } from '../../src-shared/call-kind.js';
import type { CallRecord } from '../../src-shared/control-api.js';
import { api } from '../api.js';
import { CallDetails } from '../components/call-details.js';
import { duration, Empty, ErrorNote } from '../components/notice.js';
import { useAction, useQuery } from '../hooks.js';
import { findId, useLiveLog } from '../log-store.js';

const ROW_HEIGHT = 28;
/** Scrolled further than this from the top, the user is reading: new rows wait. */
const READING_PX = 4;

interface Filter {
  client: string;
  server: string;
  tool: string;
  kind: string;
  text: string;
  /** ms since the epoch; 0 for no bound (set by Overview's links). */
  since: number;
}

/** The filter a link carries: `#/logs?kind=rule&since=…&server=…`. */
function filterFromHash(): Filter {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const since = Number(query.get('since') ?? 0);
  return {
    client: query.get('client') ?? '',
    server: query.get('server') ?? '',
    tool: query.get('tool') ?? '',
    kind: CALL_KINDS.includes(query.get('kind') as CallKind) ? (query.get('kind') as string) : '',
    text: '',
    since: Number.isFinite(since) ? since : 0,
  };
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

/** Pending asks, as client/server/tool keys: a pending row that asked is "waiting" while its ask is open. */
function useWaiting(): Set<string> {
  const { data, reload } = useQuery('approvals.list', {});
  useEffect(() => api.on('approval', reload), [reload]);
  return useMemo(() => new Set((data?.approvals ?? []).map((a) => `${a.client}\u0000${a.server}\u0000${a.tool}`)), [data]);
}

export function LogsPage() {
  const { rows, version, error } = useLiveLog();
  const facets = useQuery('log.facets', {});
  const waiting = useWaiting();
  const [filter, setFilter] = useState<Filter>(filterFromHash);
  const [selected, setSelected] = useState<CallRecord | undefined>();
  const [verify, setVerify] = useState<string | undefined>();
  /** While the user reads, the newest id shown; null: live. */
  const [held, setHeld] = useState<number | null>(null);
  const action = useAction();
  const kindOf = (r: CallRecord): CallKind => callKind(r, () => waiting.has(`${r.client}\u0000${r.server}\u0000${r.target}`));

  // The real total, kept fresh as rows arrive (at most every 2 s).
  const lastFacets = useRef(0);
  useEffect(() => {
    if (Date.now() - lastFacets.current < 2000) return;
    lastFacets.current = Date.now();
    facets.reload();
  }, [version, facets.reload]);

  const filtered = Boolean(filter.client || filter.server || filter.tool || filter.kind || filter.text || filter.since);
  const test = useMemo(() => {
    const text = filter.text.toLowerCase();
    return (r: CallRecord): boolean =>
      (!filter.client || r.client === filter.client) &&
      (!filter.server || r.server === filter.server) &&
      (!filter.tool || r.target === filter.tool) &&
      (!filter.since || r.ts >= filter.since) &&
      (!filter.kind || kindOf(r) === filter.kind) &&
      (!text || `${r.target} ${r.arguments} ${r.error} ${r.reason}`.toLowerCase().includes(text));
    // kindOf reads `waiting`.
  }, [filter, waiting]);
  // Rows up to `limit` are shown (newest first); later ones are "new" until brought in.
  const limit = held === null ? rows.length : findId(rows, held + 1);
  const matches = useMemo(() => (filtered ? rows.slice(0, limit).filter(test) : undefined), [rows, limit, test, filtered, version]);
  const fresh = useMemo(() => {
    let n = 0;
    for (let i = limit; i < rows.length; i++) if (!filtered || test(rows[i] as CallRecord)) n++;
    return n;
  }, [rows, limit, test, filtered, version]);
  const count = matches ? matches.length : limit;
  const rowAt = (index: number): CallRecord => (matches ? matches[matches.length - 1 - index] : rows[limit - 1 - index]) as CallRecord;
  const visibleRows = (): CallRecord[] => Array.from({ length: count }, (_, i) => rowAt(i));
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10, getItemKey: (index) => rowAt(index).id });

  const onScroll = (): void => {
    const top = scroller.current?.scrollTop ?? 0;
    if (top > READING_PX && held === null) setHeld(rows[rows.length - 1]?.id ?? 0);
    else if (top <= READING_PX && held !== null) setHeld(null);
  };
  const bringIn = (): void => {
    setHeld(null);
    scroller.current?.scrollTo({ top: 0 });
  };

  const tools = (facets.data?.tools ?? []).filter((t) => !filter.server || t.server === filter.server);
  const set = (changes: Partial<Filter>): void => setFilter({ ...filter, ...changes });
  return (
    <section aria-labelledby="logs-title" className="logs">
      <h1 id="logs-title">Logs</h1>
      <ErrorNote message={error ?? facets.error ?? action.error} />
      <div className="row filters">
        <label>
          Client
          <select value={filter.client} onChange={(e) => set({ client: e.target.value })}>
            <option value="">all</option>
            {facets.data?.clients.map((value) => <option key={value} value={value}>{value}</option>)}
          </select>
        </label>
        <label>
          Server
          <select value={filter.server} onChange={(e) => set({ server: e.target.value, tool: '' })}>
            <option value="">all</option>
            {facets.data?.servers.map((value) => <option key={value} value={value}>{value}</option>)}
          </select>
        </label>
        <label>
          Tool
          <select value={filter.tool} onChange={(e) => set({ tool: e.target.value })}>
            <option value="">all</option>
            {[...new Set(tools.map((t) => t.tool))].map((tool) => <option key={tool} value={tool}>{tool}</option>)}
          </select>
        </label>
        <label>
          Outcome
          <select value={filter.kind} onChange={(e) => set({ kind: e.target.value })}>
            <option value="">all</option>
            {CALL_KINDS.map((kind) => <option key={kind} value={kind}>{CALL_KIND_LABELS[kind]}</option>)}
          </select>
        </label>
        <label>Text <input type="search" value={filter.text} onChange={(e) => set({ text: e.target.value })} /></label>
        {filter.since > 0 && (
          <button type="button" className="chip" onClick={() => set({ since: 0 })} aria-label="Show older calls too">
            since {new Date(filter.since).toLocaleTimeString()} ×
          </button>
        )}
        <button type="button" onClick={() => download('warden-log.jsonl', visibleRows().map((r) => JSON.stringify(r)).join('\n') + '\n', 'application/x-ndjson')}>Export JSONL</button>
        <button
          type="button"
          onClick={() => {
            const keys = ['id', 'ts', 'client', 'server', 'method', 'target', 'outcome', 'decision', 'reason', 'durationMs', 'error', 'repeats'] as const;
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
      <div className="row log-meta">
        <p className="muted" data-testid="log-total">
          {count.toLocaleString()} shown{filtered ? ' (filtered)' : ''} of {rows.length.toLocaleString()} loaded
          {facets.data ? ` · the log holds ${Math.max(facets.data.total, rows.length).toLocaleString()} row(s)` : ''}
        </p>
        {fresh > 0 && (
          <button type="button" className="primary new-rows" onClick={bringIn}>
            {fresh} new
          </button>
        )}
      </div>
      {rows.length === 0 && !error ? <Empty>No calls logged yet. Calls appear here live as clients use their tools.</Empty> : null}
      <div className={selected ? 'log-body with-details' : 'log-body'}>
        <div className="log-table" role="table" aria-label="Call log" aria-rowcount={count}>
          <div className="log-row log-head" role="row">
            <span role="columnheader">Time</span>
            <span role="columnheader">Client</span>
            <span role="columnheader">Server</span>
            <span role="columnheader">Tool</span>
            <span role="columnheader">Outcome</span>
            <span role="columnheader">Took</span>
          </div>
          <div ref={scroller} className="log-scroller" onScroll={onScroll} role="rowgroup">
            <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
              {virtual.getVirtualItems().map((item) => {
                const r = rowAt(item.index);
                const kind = kindOf(r);
                return (
                  <div
                    key={r.id}
                    role="row"
                    tabIndex={0}
                    data-id={r.id}
                    className={`log-row kind-${REFUSED_KINDS.has(kind) || kind === 'failed' ? 'bad' : kind}${selected?.id === r.id ? ' selected' : ''}`}
                    style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                    onClick={() => setSelected(r)}
                    onKeyDown={(e) => e.key === 'Enter' && setSelected(r)}
                  >
                    <span role="cell">{new Date(r.ts).toLocaleTimeString()}</span>
                    <span role="cell">{r.client}</span>
                    <span role="cell">{r.server}</span>
                    <span role="cell">{r.target ?? r.method}</span>
                    <span role="cell" className="outcome">
                      {CALL_KIND_LABELS[kind]}
                      {r.repeats > 1 && <span className="repeats" title={`${r.repeats} identical refusals in a row`}> ×{r.repeats}</span>}
                    </span>
                    <span role="cell">{r.outcome === 'pending' ? '…' : duration(r.durationMs)}</span>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
        {selected && <CallDetails call={rows[findId(rows, selected.id)]?.id === selected.id ? (rows[findId(rows, selected.id)] as CallRecord) : selected} kind={kindOf(selected)} onClose={() => setSelected(undefined)} />}
      </div>
    </section>
  );
}
