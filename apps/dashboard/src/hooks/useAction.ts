import { useState } from 'react';

export interface Action {
  readonly busy: boolean;
  /** The last attempt's failure, cleared by the next attempt. */
  readonly error: Error | undefined;
  /** Runs a change; `then` (e.g. a reload) runs after it succeeds. Ignored while one runs. */
  run(change: () => Promise<unknown>, then?: () => void): void;
}

/** A change the user asked for (mute, resolve, create, revoke): busy while it runs, its error kept to show. */
export function useAction(): Action {
  const [state, setState] = useState<{ busy: boolean; error: Error | undefined }>({ busy: false, error: undefined });
  return {
    ...state,
    run(change, then) {
      if (state.busy) return;
      setState({ busy: true, error: undefined });
      change().then(
        () => {
          setState({ busy: false, error: undefined });
          then?.();
        },
        (error: unknown) => setState({ busy: false, error: error instanceof Error ? error : new Error(String(error)) }),
      );
    },
  };
}
