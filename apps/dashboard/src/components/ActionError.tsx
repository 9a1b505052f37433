import { ApiError } from '../api/errors.js';

/** Why a change failed, in the API's words. */
export function ActionError({ error, what }: { readonly error: Error | undefined; readonly what: string }) {
  if (!error) return null;
  return (
    <p className="status error" role="alert">
      <strong>Could not {what}.</strong> {error.message}
      {error instanceof ApiError && <code>{error.code}</code>}
    </p>
  );
}
