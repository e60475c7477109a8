import { useEffect, useRef, useState } from 'react';
import type { CallRecord } from '../src-shared/control-api.js';
import { api } from './api.js';

const MAX_ROWS = 100_000;
const PAGE = 10_000;

/** Index of the row with `id` in rows sorted by id, or where it would go. */
export function findId(rows: readonly CallRecord[], id: number): number {
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
 * frame, so a burst of thousands per second costs one render per frame. After a reconnect it
 * fetches what it missed.
 */
export function useLiveLog(): { rows: CallRecord[]; version: number; error: string | undefined } {
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
      setError(undefined);
      const oldest = calls[0];
      if (oldest && calls.length === PAGE && loaded + calls.length < MAX_ROWS) setTimeout(() => void loadOlder(oldest.id, loaded + calls.length).catch(() => undefined), 50);
    };
    loadOlder(undefined, 0).catch((failure: Error) => setError(failure.message));
    const offState = api.onState((state) => {
      if (state !== 'open') return;
      // Rows written while the page was away (and completions of the ones it had) come in again.
      void api.call('log.query', { limit: PAGE }).then((r) => alive && queue(r.calls), () => undefined);
    });
    return () => {
      alive = false;
      off();
      offState();
      cancelAnimationFrame(frame);
    };
  }, []);
  return { rows: store.current, version, error };
}
