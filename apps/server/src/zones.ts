import type { VerdictRecord } from '@locus/protocol';
import type { NodeRecord, ZoneRecord } from '@locus/storage';
import type { Verification } from './verification.js';

export interface ZoneVerdict {
  readonly zoneId: string;
  readonly name: string;
  readonly claimedCountry: string | null;
  /** Excluded only if every member's own verdict is excluded; null for an empty zone. */
  readonly restricted: VerdictRecord['restricted'] | null;
  readonly claim: VerdictRecord['claim'];
  readonly members: readonly { readonly nodeId: string; readonly name: string; readonly measurements: number; readonly verdict: VerdictRecord }[];
  /**
   * The verdict if all members stood together: the intersection of all their bounds. Tighter,
   * good for display and for spotting outliers, never the basis of the zone's `restricted`.
   */
  readonly ifColocated: VerdictRecord | null;
  /** Members without which the others could stand together (set when `ifColocated` is empty). */
  readonly outliers: readonly string[];
}

/**
 * A zone's verdict from its members' own. Never infers a node's verdict from its neighbours: a
 * smuggler could mix one honest node into a zone of distant ones, so the zone is excluded only
 * when each member is.
 */
export async function zoneVerdict(zone: ZoneRecord, nodes: readonly NodeRecord[], verification: Verification): Promise<ZoneVerdict> {
  const claimed = zone.claimed_country;
  const bounds = await Promise.all(nodes.map((n) => verification.bounds(n)));
  const members = nodes.map((n, i) => ({ nodeId: n.id, name: n.name, measurements: bounds[i]!.length, verdict: verification.judge(bounds[i]!, claimed) }));
  const all = (check: (v: VerdictRecord) => boolean) => members.length > 0 && members.every((m) => check(m.verdict));
  const restricted = members.length === 0 ? null : all((v) => v.restricted === 'excluded') ? 'excluded' : all((v) => v.restricted === 'certain') ? 'certain' : 'possible';
  const claim =
    claimed === null || members.length === 0
      ? null
      : members.some((m) => m.verdict.claim === 'contradicted')
        ? 'contradicted'
        : all((v) => v.claim === 'verified')
          ? 'verified'
          : 'consistent';
  const measured = members.map((m, i) => ({ m, bounds: bounds[i]! })).filter((x) => x.bounds.length > 0);
  const ifColocated = measured.length === 0 ? null : verification.judge(measured.flatMap((x) => x.bounds), claimed);
  const outliers =
    ifColocated?.empty && measured.length > 1
      ? measured.filter((x) => !verification.judge(measured.filter((y) => y !== x).flatMap((y) => y.bounds), claimed).empty).map((x) => x.m.nodeId)
      : [];
  return { zoneId: zone.id, name: zone.name, claimedCountry: claimed, restricted, claim, members, ifColocated, outliers };
}
