import { createContext, useContext } from 'react';
import type { ApiClient } from './client.js';

export const ApiContext = createContext<ApiClient | null>(null);

/** The signed-in API client; pages render only inside a session. */
export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}
