import { createContext, useContext } from 'react';
import type { Role } from '../api/types.js';

/** `GET /api/v1/me`: who the signed-in token is and what its role may do. */
export interface Me {
  readonly orgId: string;
  readonly role: Role;
  readonly tokenId: string;
  readonly name: string | null;
  readonly permissions: readonly string[];
  /** The server operator's organization: it keeps the landmarks and reads their status. */
  readonly operator: boolean;
}

export const MeContext = createContext<Me | undefined>(undefined);

/** Whether the signed-in role may do something (`fleet:read`, `tokens:manage`, …). */
export function useCan(): (permission: string) => boolean {
  const me = useContext(MeContext);
  return (permission) => me?.permissions.includes(permission) ?? false;
}

export const useMe = (): Me | undefined => useContext(MeContext);
