import { useCallback, useEffect, useState } from 'react';
import type { ControlMethod, ControlRequest, ControlResults } from '../src-shared/control-api.js';
import { api } from './api.js';

/** Loads a control method's result; `reload` fetches again. Errors become a sentence. */
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
  return { data, error, reload };
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
