import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import type { FleetMapData, ZoneDetail, ZoneRegions } from '../../api/types.js';
import { usePoll, type PollState } from '../../hooks/usePoll.js';
import { capFeature } from '../../map/caps.js';
import type { MapRegion } from '../../map/WorldMap.js';
import { hrefOf } from '../../router/routes.js';

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

/** Every zone's member regions from the fleet map, each the cap that encloses the members' regions; a click opens the zone. */
export function fleetMapRegions(map: FleetMapData): MapRegion[] {
  return map.zones.flatMap((z) =>
    z.regions.map((r, i) => ({
      key: `${z.id}/${i}`,
      outline: capFeature(r.lat, r.lon, r.radiusKm),
      verdict: r.restricted,
      label: `${r.nodes} node(s) of ${z.name}${r.radiusKm === null ? ' (no landmark bounds them yet)' : ` within ${r.radiusKm} km of (${r.lat}, ${r.lon})`}: restricted ${r.restricted}`,
      href: hrefOf({ page: 'zone', id: z.id }),
    })),
  );
}

/** The fleet map: zones, their regions, landmarks and verdict counts in one request. */
export function useFleetMap(): PollState<FleetMapData> {
  const api = useApi();
  return usePoll('fleet-map', (signal) => api.get<FleetMapData>(paths.fleetMap, { signal }));
}
