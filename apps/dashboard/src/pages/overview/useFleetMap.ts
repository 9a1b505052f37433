import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import type { ZoneDetail, ZoneRegions, ZoneSummary } from '../../api/types.js';
import { usePoll, type PollState } from '../../hooks/usePoll.js';
import type { MapRegion } from '../../map/WorldMap.js';
import { hrefOf } from '../../router/routes.js';

export interface FleetMap {
  readonly zones: readonly ZoneSummary[];
  readonly regions: readonly MapRegion[];
}

/** A zone's member regions, coloured by each member's own verdict; a click opens the zone or the node. */
export function zoneMapRegions(zone: Pick<ZoneDetail, 'id' | 'name' | 'members'>, regions: ZoneRegions, linkTo: 'zone' | 'node'): MapRegion[] {
  const verdictOf = new Map(zone.members.map((m) => [m.nodeId, m.verdict.restricted]));
  return regions.members.map((m) => ({
    key: `${zone.id}/${m.nodeId}`,
    outline: m.outline,
    verdict: verdictOf.get(m.nodeId) ?? null,
    label: `${m.name} in ${zone.name}: restricted ${verdictOf.get(m.nodeId) ?? 'unknown'}`,
    href: linkTo === 'zone' ? hrefOf({ page: 'zone', id: zone.id }) : hrefOf({ page: 'node', id: m.nodeId }),
  }));
}

/** The zones and every member's region, for the overview map (one request per zone and per zone's regions). */
export function useFleetMap(): PollState<FleetMap> {
  const api = useApi();
  return usePoll('fleet-map', async (signal) => {
    const { zones } = await api.get<{ zones: ZoneSummary[] }>(paths.zones, { signal });
    const regions = await Promise.all(
      zones.map(async (z) => {
        const [detail, outlines] = await Promise.all([api.get<ZoneDetail>(paths.zone(z.id), { signal }), api.get<ZoneRegions>(paths.zoneRegions(z.id), { signal })]);
        return zoneMapRegions(detail, outlines, 'zone');
      }),
    );
    return { zones, regions: regions.flat() };
  });
}
