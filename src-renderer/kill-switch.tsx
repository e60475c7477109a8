import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api } from './api.js';
import { useConnection } from './hooks.js';

interface KillSwitch {
  /** undefined until the core has said. */
  paused: boolean | undefined;
  /** Pauses or resumes; resolves with an error sentence, or undefined when done. */
  set(paused: boolean): Promise<string | undefined>;
}

const Context = createContext<KillSwitch>({ paused: undefined, set: async () => 'the kill switch is not ready' });

/** How often the window asks whether Warden is paused (the CLI may pause it too). */
const POLL_MS = 3000;

/**
 * The kill switch, shared by every page: the header's pill, Overview's pause button and the
 * Approvals page read the same state, and a change made here shows everywhere at once.
 */
export function KillSwitchProvider({ children }: { children: ReactNode }) {
  const [paused, setPaused] = useState<boolean | undefined>(undefined);
  const refresh = useCallback(() => void api.call('settings.get', {}).then((r) => setPaused(r.settings.paused), () => undefined), []);
  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, POLL_MS);
    const offState = api.onState((state) => state === 'open' && refresh());
    // A refusal "paused" in the live log means someone paused Warden meanwhile.
    const offCall = api.on('call', (row) => row.reason?.startsWith('MCP Warden is paused') && setPaused(true));
    return () => {
      clearInterval(timer);
      offState();
      offCall();
    };
  }, [refresh]);
  const set = useCallback(async (value: boolean) => {
    try {
      const result = await api.call('settings.set', { paused: value });
      setPaused(result.settings.paused);
      return undefined;
    } catch (failure) {
      return (failure as Error).message;
    }
  }, []);
  return <Context.Provider value={{ paused, set }}>{children}</Context.Provider>;
}

export function useKillSwitch(): KillSwitch {
  return useContext(Context);
}

/** The header's pill: says when Warden is paused, and resumes it in one click. */
export function KillSwitchPill() {
  const { paused, set } = useKillSwitch();
  const [error, setError] = useState<string | undefined>();
  const connection = useConnection();
  // While the core is away its state is unknown: say nothing rather than something stale.
  if (paused === undefined || connection !== 'open') return null;
  if (!paused) return <span className="pill running" title="Warden decides every call">Running</span>;
  return (
    <>
      <button type="button" className="pill paused" onClick={() => void set(false).then(setError)} title="Every call is refused until you resume">
        Paused — Resume
      </button>
      {error && <span className="error" role="alert">{error}</span>}
    </>
  );
}
