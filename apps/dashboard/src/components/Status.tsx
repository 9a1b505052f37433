import type { ReactNode } from 'react';
import { ApiError } from '../api/errors.js';
import type { PollState } from '../hooks/usePoll.js';

export function Loading({ what }: { readonly what: string }) {
  return (
    <p className="status loading" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorBox({ error, what, onRetry }: { readonly error: Error; readonly what: string; readonly onRetry?: () => void }) {
  const code = error instanceof ApiError ? `${error.code}${error.statusCode ? ` (HTTP ${error.statusCode})` : ''}` : error.name;
  return (
    <div className="status error" role="alert">
      <strong>Could not load {what}.</strong> {error.message} <code>{code}</code>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { readonly children: ReactNode }) {
  return <p className="status empty">{children}</p>;
}

interface AsyncProps<T> {
  readonly state: PollState<T>;
  /** What is loading, for the messages ("zones", "the node's events"). */
  readonly what: string;
  readonly isEmpty?: (data: T) => boolean;
  readonly empty?: ReactNode;
  readonly children: (data: T) => ReactNode;
}

/** Loading, error and empty states around polled data; a failed refresh keeps the last data and says so. */
export function Async<T>({ state, what, isEmpty, empty, children }: AsyncProps<T>) {
  if (state.data === undefined) {
    if (state.error) return <ErrorBox error={state.error} what={what} onRetry={state.reload} />;
    return <Loading what={what} />;
  }
  return (
    <>
      {state.error && (
        <p className="status stale" role="alert">
          Refreshing {what} failed ({state.error.message}); showing data from {state.updatedAt?.toLocaleTimeString() ?? 'earlier'}.
        </p>
      )}
      {isEmpty?.(state.data) ? <Empty>{empty ?? `No ${what} yet.`}</Empty> : children(state.data)}
    </>
  );
}
