import type { Claim, Restricted } from '../api/types.js';

/** A restricted verdict as a coloured badge; null reads "no verdict". */
export function RestrictedBadge({ value }: { readonly value: Restricted | null | undefined }) {
  const v = value ?? 'none';
  return <span className={`badge badge-${v}`}>{value ? `restricted ${value}` : 'no verdict yet'}</span>;
}

export function ClaimBadge({ value, claimed }: { readonly value: Claim | null | undefined; readonly claimed: string | null }) {
  if (!claimed) return <span className="badge badge-none">no claim</span>;
  return <span className={`badge badge-claim-${value ?? 'none'}`}>{`claim ${claimed} ${value ?? 'unjudged'}`}</span>;
}

export function HealthBadge({ value }: { readonly value: string }) {
  return <span className={`badge badge-health-${value}`}>{value}</span>;
}
