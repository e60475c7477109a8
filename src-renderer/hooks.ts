import { useCallback, useEffect, useRef, useState } from 'react';
import type { ControlMethod, ControlRequest, ControlResults } from '../src-shared/control-api.js';
import { api, type ConnectionState } from './api.js';

/**
 * Loads a control method's result; `reload` fetches again. Errors become a sentence. Loads
 * again by itself when the page reconnects to the core.
 */
export function useQuery<M extends ControlMethod>(method: M, params: ControlRequest<M>, deps: unknown[] = []) {
  const [data, setData] = useState<ControlResults[M] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const key = JSON.stringify(params);
  const reload = useCallback(() => {
    api.call(method, JSON.parse(key) as ControlRequest<M>).then(
      (result) => {
        setData(result);
        setError(undefined);
      },
      (failure: Error) => setError(failure.message),
    );
  }, [method, key]);
  useEffect(reload, [reload, ...deps]);
  useEffect(() => api.onState((state) => state === 'open' && reload()), [reload]);
  return { data, error, reload };
}

/** The connection to the core, as a state that re-renders. */
export function useConnection(): ConnectionState {
  const [state, setState] = useState<ConnectionState>(api.state);
  useEffect(() => api.onState(setState), []);
  return state;
}

/** Runs an action and reports its error as a sentence; returns whether it succeeded. */
export function useAction(): { run: (work: () => Promise<unknown>) => Promise<boolean>; error: string | undefined; clear: () => void } {
  const [error, setError] = useState<string | undefined>(undefined);
  const run = useCallback(async (work: () => Promise<unknown>) => {
    try {
      await work();
      setError(undefined);
      return true;
    } catch (failure) {
      setError((failure as Error).message);
      return false;
    }
  }, []);
  return { run, error, clear: () => setError(undefined) };
}

/**
 * A form's submission with its errors placed by field. The core names the field first
 * ("target: a pattern must not …"); an error for a field this form has goes next to it and is
 * gone as soon as that field changes; any other error is the form's. `saved` is the last
 * confirmation, cleared by the next change.
 */
export function useForm(fields: readonly string[]) {
  const [errors, setErrors] = useState<{ field: string | undefined; message: string } | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const known = useRef(fields);
  known.current = fields;
  const submit = useCallback(async (work: () => Promise<string>): Promise<boolean> => {
    try {
      setSaved(await work());
      setErrors(undefined);
      return true;
    } catch (failure) {
      const message = (failure as Error).message;
      const match = /^([A-Za-z]+)(?:\.[\w.]+)?: (.+)$/s.exec(message);
      const field = match && known.current.includes(match[1] as string) ? match[1] : undefined;
      setErrors({ field, message: field && match ? (match[2] as string) : message });
      setSaved(undefined);
      return false;
    }
  }, []);
  return {
    submit,
    saved,
    /** The error for `field`, if the last submission failed there. */
    errorOf: (field: string): string | undefined => (errors?.field === field ? errors.message : undefined),
    /** The error that belongs to no field. */
    formError: errors && errors.field === undefined ? errors.message : undefined,
    /** Call when a field changes: its error (and the confirmation) go. */
    touched: (field: string): void => {
      setSaved(undefined);
      setErrors((current) => (current?.field === field ? undefined : current));
    },
  };
}
