import { useId, type ReactNode } from 'react';

/**
 * A labelled input with its error underneath, tied to it with aria-describedby and
 * aria-invalid; `hint` is a warning that does not block (a name Warden has not seen).
 */
export function Field({ label, error, hint, children }: { label: string; error?: string | undefined; hint?: string | undefined; children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode }) {
  const id = useId();
  const noteId = `${id}-note`;
  const note = error ?? hint;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error !== undefined, 'aria-describedby': note ? noteId : undefined })}
      {note && (
        <span id={noteId} className={error ? 'field-error' : 'field-hint'} role={error ? 'alert' : undefined}>
          {note}
        </span>
      )}
    </div>
  );
}

/** A saved-confirmation line (polite live region). */
export function Saved({ message }: { message: string | undefined }) {
  return <p className="saved" role="status" aria-live="polite">{message ?? ''}</p>;
}
