import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { ChangeTopic, FirewallApi } from '../../preload/contract.js';
import { createHttpApi } from './http-api.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    mcpFirewall?: FirewallApi;
  }
}

/** The preload bridge inside Electron, the same contract over HTTP in a browser. */
export function resolveApi(): FirewallApi {
  return window.mcpFirewall ?? createHttpApi();
}

export const ApiContext = createContext<FirewallApi | null>(null);

export function useApi(): FirewallApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('ApiContext is missing');
  return api;
}

export interface Resource<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload(): void;
}

/** Loads once, and again whenever one of `topics` changes in the engine. */
export function useResource<T>(load: (api: FirewallApi) => Promise<T>, topics: ChangeTopic[], deps: unknown[] = []): Resource<T> {
  const api = useApi();
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    loadRef.current(api).then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (err: Error) => {
        if (mine !== generation.current) return;
        setError(err.message);
        setLoading(false);
      },
    );
  }, [api]);
  useEffect(() => {
    reload();
    return api.onChange((topic) => {
      if (topics.includes(topic)) reload();
    });
  }, [api, reload, topics.join(','), ...deps]);
  return { data, error, loading, reload };
}

export interface Action {
  busy: boolean;
  error: string | null;
  /** Runs one user action: disables the buttons meanwhile, shows its error, then reloads. */
  run(what: () => Promise<unknown>): Promise<void>;
}

export function useAction(after: () => void): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (what: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await what();
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
      after();
    }
  };
  return { busy, error, run };
}
