import { createContext, useContext, useEffect, useRef, useState } from 'react';
import { isAbort } from '../api/errors.js';
import { ChangesContext } from './useChanges.js';

/** How often pages refresh their data, in ms (a context so tests can shorten it). */
export const PollIntervalContext = createContext(10_000);

/**
 * A change told by the server reloads a page's data at once, or, if it loaded less than this
 * long ago, this long after it did: on a large fleet verdicts change every moment, and a page
 * (the fleet map) may cost the server a tenth of a second.
 */
export const CHANGE_RELOAD_GAP_MS = 2_000;

export interface PollState<T> {
  /** The latest data; kept while a later refresh fails. */
  readonly data: T | undefined;
  /** The last refresh's error, cleared by the next success. */
  readonly error: Error | undefined;
  /** True until the first answer (data or error) for the current key. */
  readonly loading: boolean;
  readonly updatedAt: Date | undefined;
  reload(): void;
}

/**
 * Loads data now and again every poll interval, without reloading the page, and at once when the
 * server's change stream tells of a change (ChangesContext). `load` gets the previous data so
 * that it can fetch only what is new. A new `key` starts over; unmounting cancels the request in
 * flight and the timer.
 */
export function usePoll<T>(key: string, load: (signal: AbortSignal, previous: T | undefined) => Promise<T>): PollState<T> {
  const intervalMs = useContext(PollIntervalContext);
  const changes = useContext(ChangesContext).count;
  const loadRef = useRef(load);
  // The running loop's answer to a change: load again soon (never cutting a load short).
  const changedRef = useRef<() => void>(() => {});
  useEffect(() => {
    loadRef.current = load;
  });
  const [round, setRound] = useState(0);
  const [state, setState] = useState<Omit<PollState<T>, 'reload'> & { key: string }>({ key, data: undefined, error: undefined, loading: true, updatedAt: undefined });

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let loading = false;
    let changedMeanwhile = false;
    let startedAt = -Infinity;
    const controller = new AbortController();
    let previous: T | undefined;
    setState((s) => (s.key === key ? s : { key, data: undefined, error: undefined, loading: true, updatedAt: undefined }));
    const next = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => void tick(), ms);
    };
    const soon = () => next(Math.max(0, startedAt + CHANGE_RELOAD_GAP_MS - performance.now()));
    const tick = async () => {
      loading = true;
      changedMeanwhile = false;
      startedAt = performance.now();
      try {
        const data = await loadRef.current(controller.signal, previous);
        if (stopped) return;
        previous = data;
        setState({ key, data, error: undefined, loading: false, updatedAt: new Date() });
      } catch (error) {
        if (stopped || isAbort(error)) return;
        setState((s) => ({ ...s, key, error: error instanceof Error ? error : new Error(String(error)), loading: false }));
      } finally {
        loading = false;
      }
      if (stopped) return;
      // A change told while loading may have come after what this load read.
      if (changedMeanwhile) soon();
      else next(intervalMs);
    };
    changedRef.current = () => {
      if (loading) changedMeanwhile = true;
      else soon();
    };
    void tick();
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
    };
  }, [key, intervalMs, round]);

  // A change told by the server: the running loop loads again soon (not on the first render).
  const seenChanges = useRef(changes);
  useEffect(() => {
    if (seenChanges.current === changes) return;
    seenChanges.current = changes;
    changedRef.current();
  }, [changes]);

  const current = state.key === key ? state : { data: undefined, error: undefined, loading: true, updatedAt: undefined };
  return { data: current.data, error: current.error, loading: current.loading, updatedAt: current.updatedAt, reload: () => setRound((r) => r + 1) };
}
