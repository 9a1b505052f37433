import { useState, type FormEvent } from 'react';
import { ApiClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';

interface LoginPageProps {
  readonly onLogin: (token: string) => void;
  /** Why the previous session ended, if it did not end by "Log out". */
  readonly notice?: string | undefined;
  readonly fetch?: typeof fetch;
}

/** Paste an API token; it is checked against the API before it is kept. */
export function LoginPage({ onLogin, notice, fetch: fetchImpl }: LoginPageProps) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [checking, setChecking] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) return setError('Paste a token first.');
    setChecking(true);
    setError(undefined);
    try {
      // Every role may read the landmarks: a cheap check that the server knows the token.
      await new ApiClient({ token: candidate, ...(fetchImpl ? { fetch: fetchImpl } : {}) }).get('/api/v1/landmarks');
      onLogin(candidate);
    } catch (e) {
      setError(e instanceof ApiError && e.statusCode === 401 ? 'The server does not accept this token.' : `Could not check the token: ${(e as Error).message}`);
    } finally {
      setChecking(false);
    }
  };

  return (
    <main className="login">
      <h1>Locus</h1>
      <p>Where your GPUs are, from signed landmark round-trip times.</p>
      {notice && (
        <p className="status stale" role="alert">
          {notice}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} placeholder="locus_…" />
        <button type="submit" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
        {error && (
          <p className="status error" role="alert">
            {error}
          </p>
        )}
      </form>
      <p className="hint">
        <code>npm start</code> prints the admin token. The token is kept in this browser tab only (session storage) and sent only to this server.
      </p>
    </main>
  );
}
