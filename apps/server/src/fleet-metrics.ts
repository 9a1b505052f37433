import { Gauge, Registry } from 'prom-client';
import { mutingRule } from './alerts/engine.js';
import { fleetMap } from './fleet-map.js';
import { gpuHealthByNode } from './fleet.js';
import { DEFAULT_ORG } from './config.js';
import type { Repos } from './repos.js';

/** What a caller's scrape may include: verdicts always; inventory, health, batches and alerts with `fleet:read`. */
export interface FleetMetricsScope {
  readonly orgId: string;
  readonly inventory: boolean;
  readonly now: number;
}

type Labels<T extends string> = Partial<Record<T, string | number>>;

/** A gauge of this registry, set once per label set given. */
function gauge<T extends string>(registry: Registry, name: string, help: string, labelNames: readonly T[], values: Iterable<readonly [Labels<T>, number]>): void {
  const g = new Gauge<T>({ name, help, labelNames, registers: [registry] });
  for (const [labels, value] of values) g.set(labels, value);
}

/**
 * An organization's fleet as Prometheus gauges, for its own scrape (GET /api/v1/fleet/metrics):
 * each node's and zone's verdict (its state as a label, one series each), when it was computed,
 * and, for callers who may read the fleet, each node's GPUs by health, its last batch and the
 * alerts firing. Series are keyed by node and zone ids; names and claimed countries are on the
 * `_info` series, to join on. Built from stored state only (no verdict is recomputed).
 */
export async function fleetMetrics(repos: Repos, scope: FleetMetricsScope): Promise<Registry> {
  const { orgId } = scope;
  const registry = new Registry();
  // When a landmark last measured anyone tells of every organization's hosts: the operator's series only.
  const [zones, all, verdicts, landmarks] = await Promise.all([repos.zones.list(orgId), repos.nodes.list(orgId), repos.verdicts.latestByOrg(orgId), orgId === DEFAULT_ORG ? repos.landmarks.status() : []]);
  const nodes = all.filter((n) => n.unenrolled_at === null);
  const map = fleetMap(zones, nodes, verdicts);

  gauge(registry, 'locus_node_info', "Always 1, one per enrolled node: its name, zone, claimed country and agent version (empty when its agent does not say), to join on node_id.", ['node_id', 'node', 'zone_id', 'claimed_country', 'agent_version'], nodes.map((n) => [{ node_id: n.id, node: n.name, zone_id: n.zone_id ?? '', claimed_country: n.claimed_country ?? '', agent_version: n.agent_version ?? '' }, 1]));
  gauge(registry, 'locus_node_restricted', "Always 1, one per enrolled node: its verdict on restricted countries (excluded, possible, certain; none before its first verdict).", ['node_id', 'state'], nodes.map((n) => [{ node_id: n.id, state: verdicts.get(n.id)?.record.restricted ?? 'none' }, 1]));
  gauge(registry, 'locus_node_claim', "Always 1, one per enrolled node: its verdict on its claimed country (verified, consistent, contradicted; none without a claim or a verdict).", ['node_id', 'state'], nodes.map((n) => [{ node_id: n.id, state: verdicts.get(n.id)?.record.claim ?? 'none' }, 1]));
  const judged = nodes.flatMap((n) => {
    const v = verdicts.get(n.id);
    return v ? [{ id: n.id, v }] : [];
  });
  gauge(registry, 'locus_node_verdict_timestamp_seconds', "When the node's verdict was last judged (delivered measurements have it judged again within the verdict interval; a verdict that changes stores another).", ['node_id'], judged.map(({ id, v }) => [{ node_id: id }, v.computedAt / 1000]));
  gauge(registry, 'locus_node_verdict_measurements', "Landmark measurements the node's current verdict rests on.", ['node_id'], judged.map(({ id, v }) => [{ node_id: id }, v.measurements]));
  gauge(
    registry,
    'locus_node_feasible_radius_meters',
    "Radius of the smallest circle holding the node's feasible region, in metres (Prometheus's base unit); absent when the region is empty or reaches around the Earth.",
    ['node_id'],
    judged.flatMap(({ id, v }) => (v.record.radiusKm === null ? [] : [[{ node_id: id }, v.record.radiusKm * 1000] as const])),
  );
  gauge(registry, 'locus_zone_info', 'Always 1, one per zone: its name and claimed country, to join on zone_id.', ['zone_id', 'zone', 'claimed_country'], zones.map((z) => [{ zone_id: z.id, zone: z.name, claimed_country: z.claimed_country ?? '' }, 1]));
  gauge(registry, 'locus_zone_members', 'Enrolled nodes in the zone.', ['zone_id'], map.zones.map((z) => [{ zone_id: z.id }, z.members]));
  gauge(registry, 'locus_zone_restricted', "Always 1, one per zone: excluded only when every member's own verdict is (a member not yet judged counts as possible); none without members.", ['zone_id', 'state'], map.zones.map((z) => [{ zone_id: z.id, state: z.restricted ?? 'none' }, 1]));
  gauge(registry, 'locus_zone_claim', "Always 1, one per zone: its members' verdicts against the zone's claimed country; none without a claim or members.", ['zone_id', 'state'], map.zones.map((z) => [{ zone_id: z.id, state: z.claim ?? 'none' }, 1]));
  gauge(
    registry,
    'locus_landmark_last_measurement_timestamp_seconds',
    "When the newest stored measurement of each registered landmark was taken; absent before its first, and outside the operator's organization. A landmark measures each host every minute by default.",
    ['landmark_id', 'country'],
    landmarks.flatMap(({ landmark, lastMeasurementAt }) => (lastMeasurementAt === null ? [] : [[{ landmark_id: landmark.id, country: landmark.country }, lastMeasurementAt / 1000] as const])),
  );
  gauge(
    registry,
    'locus_landmark_version_info',
    "Always 1, one per registered landmark, in the operator's organization only: its name, country and the Locus version it runs (empty before a delivery that names it), to follow an upgrade of the landmarks.",
    ['landmark_id', 'landmark', 'country', 'version'],
    landmarks.map(({ landmark, version }) => [{ landmark_id: landmark.id, landmark: landmark.name, country: landmark.country, version: version ?? '' }, 1]),
  );
  if (!scope.inventory) return registry;

  const ids = nodes.map((n) => n.id);
  const [health, lastBatches, firing, rules] = await Promise.all([gpuHealthByNode(repos, orgId, ids), repos.telemetry.lastIngestsByOrg(orgId), repos.alerts.firing(orgId), repos.alerts.muteRules(orgId, scope.now)]);
  const zoneOf = new Map(nodes.flatMap((n) => (n.zone_id === null ? [] : [[n.id, n.zone_id] as const])));
  gauge(
    registry,
    'locus_node_gpus',
    "The node's GPUs by health: the worst state any component reported for each (healthy when none did); states with none are left out.",
    ['node_id', 'health'],
    [...health].flatMap(([id, h]) => Object.entries(h.health).flatMap(([state, n]) => (n > 0 ? [[{ node_id: id, health: state }, n] as const] : []))),
  );
  gauge(registry, 'locus_node_last_batch_timestamp_seconds', "When the node's agent last delivered a batch (absent if it never has).", ['node_id'], [...lastBatches].map(([id, at]) => [{ node_id: id }, at / 1000]));
  gauge(
    registry,
    'locus_node_last_refused_batch_timestamp_seconds',
    "When the server last refused a batch the node's own agent signed (absent if it never has): newer than its last batch, what its agent sends is refused now (the agent drops it), and GET /api/v1/nodes/{id} says why.",
    ['node_id'],
    nodes.flatMap((n) => (n.last_refusal_at === null ? [] : [[{ node_id: n.id }, Number(n.last_refusal_at) / 1000] as const])),
  );
  const alerts = new Map<string, { kind: string; severity: string; muted: string; n: number }>();
  for (const a of firing) {
    const muted = mutingRule(a, rules, (id) => zoneOf.get(id)) ? 'true' : 'false';
    const key = `${a.kind}\n${a.severity}\n${muted}`;
    const seen = alerts.get(key) ?? { kind: a.kind, severity: a.severity, muted, n: 0 };
    seen.n++;
    alerts.set(key, seen);
  }
  gauge(registry, 'locus_alerts_firing', 'Alerts firing now, by kind and severity, muted (by a mute rule) or not.', ['kind', 'severity', 'muted'], [...alerts.values()].map((a) => [{ kind: a.kind, severity: a.severity, muted: a.muted }, a.n]));
  return registry;
}
