/** Cancels a pending call; calling it after the call ran, or twice, does nothing. */
export type Cancel = () => void;

/** Node's timers count whole milliseconds; anything shorter is left to polling. */
const TIMER_RESOLUTION_MS = 1;

/**
 * Calls `callback` once `now()` has reached `dueMs` — never before, and never synchronously.
 *
 * setTimeout alone cannot promise "never before": Node starts a timer from the event loop's
 * cached clock, which can lag `performance.now()` by up to a millisecond, so a timer may fire
 * that much early, and it cannot wait less than 1 ms at all. So the clock is read again
 * whenever a timer fires: setTimeout covers whole milliseconds, setImmediate polls the last
 * one. Lateness is the only error left, which is the safe side for an emulated link: it may be
 * slower than asked, never faster.
 */
export function callAtOrAfter(dueMs: number, callback: () => void, now: () => number = () => performance.now()): Cancel {
  let cancelCurrent: Cancel = () => {};
  let cancelled = false;

  const check = (): void => {
    if (cancelled) return;
    const remainingMs = dueMs - now();
    if (remainingMs <= 0) {
      callback();
    } else if (remainingMs >= TIMER_RESOLUTION_MS) {
      const timer = setTimeout(check, Math.floor(remainingMs));
      cancelCurrent = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(check);
      cancelCurrent = () => clearImmediate(immediate);
    }
  };

  const first = setImmediate(check);
  cancelCurrent = () => clearImmediate(first);
  return () => {
    cancelled = true;
    cancelCurrent();
  };
}
