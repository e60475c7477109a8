import type { ReactNode } from 'react';

/** An error in words, never a blank screen. */
export function ErrorNote({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

/** What a new user sees instead of an empty table: the next step. */
export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function time(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toLocaleString();
}

/**
 * A duration as people read it: "320 ms", "4.2 s", "55 s", "2 min 5 s"; an em dash when
 * there is none (a call still running).
 */
export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
