import type { VerdictRecord } from '@locus/protocol';
import type { NodeRecord, StoredVerdict, ZoneRecord } from '@locus/storage';

type Restricted = VerdictRecord['restricted'];
type Claim = NonNullable<VerdictRecord['claim']>;

/**
 * Members of one zone whose stored regions share a place, size and verdict, drawn as one circle:
 * the smallest cap enclosing each member's feasible region (`radiusKm` null: the whole Earth).
 */
export interface MapRegion {
  readonly lat: number;
  readonly lon: number;
  readonly radiusKm: number | null;
  readonly restricted: Restricted;
  readonly nodes: number;
}

export interface MapZone {
  readonly id: string;
  readonly name: string;
  readonly claimedCountry: string | null;
  readonly members: number;
  /** Null for a zone without members. */
  readonly restricted: Restricted | null;
  readonly claim: Claim | null;
  /** Members whose regions are empty (their measurements cannot all hold): nothing to draw. */
  readonly emptyRegions: number;
  readonly regions: readonly MapRegion[];
}

export interface FleetMap {
  readonly zones: readonly MapZone[];
  /** Every node's newest verdict, counted: what an auditor may see of the fleet. */
  readonly verdicts: Record<Restricted | 'none', number>;
}

/** A member's claim judged against its zone's claimed country, from its stored verdict. */
function claimAgainst(v: VerdictRecord | undefined, claimed: string): Claim {
  if (!v) return 'consistent';
  if (v.claimed === claimed && v.claim !== null) return v.claim;
  if (v.empty || !v.possibleCountries.includes(claimed)) return 'contradicted';
  return v.possibleCountries.length === 1 ? 'verified' : 'consistent';
}

/**
 * The fleet on one map from stored verdicts only (no verdict is recomputed): each zone's verdict
 * by the rule of `zoneVerdict` (excluded only if every member is; a member never judged counts as
 * possible) and its members' regions.
 */
export function fleetMap(zones: readonly ZoneRecord[], nodes: readonly NodeRecord[], verdicts: ReadonlyMap<string, StoredVerdict>): FleetMap {
  const counts: Record<Restricted | 'none', number> = { excluded: 0, possible: 0, certain: 0, none: 0 };
  const byZone = new Map<string, NodeRecord[]>();
  for (const n of nodes) {
    if (n.unenrolled_at !== null) continue;
    counts[verdicts.get(n.id)?.record.restricted ?? 'none']++;
    if (n.zone_id === null) continue;
    const members = byZone.get(n.zone_id) ?? [];
    members.push(n);
    byZone.set(n.zone_id, members);
  }
  return {
    verdicts: counts,
    zones: zones.map((zone) => {
      const members = (byZone.get(zone.id) ?? []).map((n) => verdicts.get(n.id)?.record);
      const states = members.map((v) => v?.restricted ?? 'possible');
      const every = (s: Restricted) => states.length > 0 && states.every((x) => x === s);
      const claims = zone.claimed_country === null ? [] : members.map((v) => claimAgainst(v, zone.claimed_country!));
      const regions = new Map<string, MapRegion>();
      for (const v of members) {
        if (!v || v.empty) continue;
        const lat = Math.round((v.estimate?.lat ?? 0) * 100) / 100;
        const lon = Math.round((v.estimate?.lon ?? 0) * 100) / 100;
        const radiusKm = v.estimate === null || v.radiusKm === null ? null : Math.round(v.radiusKm);
        const key = `${lat},${lon},${radiusKm},${v.restricted}`;
        const seen = regions.get(key);
        regions.set(key, { lat, lon, radiusKm, restricted: v.restricted, nodes: (seen?.nodes ?? 0) + 1 });
      }
      return {
        id: zone.id,
        name: zone.name,
        claimedCountry: zone.claimed_country,
        members: members.length,
        restricted: states.length === 0 ? null : every('excluded') ? 'excluded' : every('certain') ? 'certain' : 'possible',
        claim: claims.length === 0 ? null : claims.includes('contradicted') ? 'contradicted' : claims.every((c) => c === 'verified') ? 'verified' : 'consistent',
        emptyRegions: members.filter((v) => v?.empty).length,
        regions: [...regions.values()],
      };
    }),
  };
}
