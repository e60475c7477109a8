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
