import { useCallback, useState } from 'react';

const TOKEN_KEY = 'locus.token';

export interface Session {
  /** The API token, or undefined when signed out. */
  readonly token: string | undefined;
  /** Why the last session ended, when the dashboard ended it (e.g. a 401). */
  readonly notice: string | undefined;
  login(token: string): void;
  logout(notice?: string): void;
}

const read = (): string | undefined => {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
};

/** The API token, kept in sessionStorage: it lasts as long as the tab and is never sent anywhere but the API. */
export function useSession(): Session {
  const [token, setToken] = useState(read);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const login = useCallback((next: string) => {
    window.sessionStorage.setItem(TOKEN_KEY, next);
    setNotice(undefined);
    setToken(next);
  }, []);
  const logout = useCallback((why?: string) => {
    window.sessionStorage.removeItem(TOKEN_KEY);
    setNotice(why);
    setToken(undefined);
  }, []);
  return { token, notice, login, logout };
}
