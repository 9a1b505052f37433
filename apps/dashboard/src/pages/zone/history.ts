import type { Claim, Restricted } from '../../api/types.js';

/** One stored verdict of `GET /api/v1/nodes/{id}/verdicts` (newest first there). */
export interface StoredVerdict {
  readonly computedAt: string;
  readonly verdict: { readonly restricted: Restricted; readonly claim: Claim | null; readonly claimed?: string | null };
}

export interface VerdictChange {
  readonly nodeId: string;
  readonly name: string;
  readonly at: string;
  readonly restricted: Restricted;
  readonly claim: Claim | null;
  /** The country the member claimed. */
  readonly claimed: string | null;
  /** The verdict before, or null for the first one known. */
  readonly before: { readonly restricted: Restricted; readonly claim: Claim | null } | null;
}

/**
 * When each member's verdict changed (restricted or claim), newest first: the stored history
 * holds a verdict each time its record changed (its region, say), most of them repeats here.
 */
export function verdictChanges(members: readonly { readonly nodeId: string; readonly name: string; readonly history: readonly StoredVerdict[] }[]): VerdictChange[] {
  const changes: VerdictChange[] = [];
  for (const m of members) {
    const oldestFirst = [...m.history].sort((a, b) => Date.parse(a.computedAt) - Date.parse(b.computedAt));
    let before: VerdictChange['before'] = null;
    for (const v of oldestFirst) {
      const { restricted, claim } = v.verdict;
      if (before && before.restricted === restricted && before.claim === claim) continue;
      changes.push({ nodeId: m.nodeId, name: m.name, at: v.computedAt, restricted, claim, claimed: v.verdict.claimed ?? null, before });
      before = { restricted, claim };
    }
  }
  return changes.sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || a.name.localeCompare(b.name));
}
