import { useCallback, useEffect, useRef, useState } from 'react';
import { problemOf, type Problem } from './api.ts';

export interface Remote<T> {
  data: T | undefined;
  problem: Problem | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `load()` when `key` changes, and again on reload(). The last answer stays on screen while a reload
 * runs (live pages refresh often); an answer that arrives after a newer request started is dropped.
 */
export function useRemote<T>(key: string, load: () => Promise<T>, onProblem?: (problem: Problem) => void): Remote<T> {
  const [state, setState] = useState<{ key: string; data: T | undefined; problem: Problem | null; loading: boolean }>({
    key,
    data: undefined,
    problem: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  const onProblemRef = useRef(onProblem);
  useEffect(() => {
    loadRef.current = load;
    onProblemRef.current = onProblem;
  });
  useEffect(() => {
    let current = true;
    loadRef.current().then(
      (data) => current && setState({ key, data, problem: null, loading: false }),
      (error: unknown) => {
        if (!current) return;
        const problem = problemOf(error);
        setState((s) => ({ key, data: s.key === key ? s.data : undefined, problem, loading: false }));
        onProblemRef.current?.(problem);
      },
    );
    return () => {
      current = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const sameKey = state.key === key;
  return { data: sameKey ? state.data : undefined, problem: sameKey ? state.problem : null, loading: !sameKey || state.loading, reload };
}
