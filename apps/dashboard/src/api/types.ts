// Response shapes of the Locus API (apps/server/src/routes/*.ts). The wire records that the
// protocol package already names are imported as types only: nothing of it reaches the bundle.
import type { GpuMetricsWire, HostInventoryWire, LandmarkInfo, VerdictRecord } from '@locus/protocol';
import { ALERT_KINDS, type AlertKind } from '@locus/protocol/alert-kinds';

export type { GpuMetricsWire, HostInventoryWire, LandmarkInfo, VerdictRecord };

export const HEALTH_STATES = ['healthy', 'degraded', 'unhealthy', 'unknown'] as const;
export type Health = (typeof HEALTH_STATES)[number];
export type Restricted = VerdictRecord['restricted'];
export type Claim = NonNullable<VerdictRecord['claim']>;

/** `GET /api/v1/fleet/summary` */
export interface FleetSummary {
  readonly nodes: number;
  readonly gpus: { readonly total: number; readonly byModel: Readonly<Record<string, number>>; readonly health: Readonly<Record<string, number>> };
  readonly verdicts: Readonly<Record<string, number>>;
  /** Enrolled nodes by their agent's version; "(unknown)" for agents that do not say. */
  readonly agentVersions: Readonly<Record<string, number>>;
  readonly zones: number;
}

/** `GET /api/v1/nodes/{id}` */
export interface NodeInfo {
  readonly id: string;
  readonly name: string;
  readonly hostKey: string;
  readonly claimedCountry: string | null;
  readonly zoneId: string | null;
  readonly createdAt: string;
  readonly lastMeasuredAt: string | null;
  /** Its Locus agent's version, as its latest inventory says; null before an agent that says it. */
  readonly agentVersion: string | null;
}

/** The newest refusal of what a landmark or a node's agent signed: when the server refused it, and why. */
export interface Refusal {
  readonly at: string;
  readonly code: string;
  readonly message: string;
}

/** `GET /api/v1/nodes/{id}`: the node, when its agent last reported, and its newest refused batch. */
export interface NodeDetail extends NodeInfo {
  readonly lastReportAt: string | null;
  readonly lastRefusal: Refusal | null;
  /** The refusal came after the last stored batch: what its agent sends is refused now. */
  readonly refused: boolean;
}

/** `GET /api/v1/nodes/{id}/verdict` */
export interface NodeVerdict {
  readonly nodeId: string;
  readonly computedAt: string;
  readonly measurements: number;
  readonly verdict: VerdictRecord;
}

/** A feasible region for maps: GeoJSON whose rings have the region on their LEFT (RFC 7946). */
export interface RegionFeature {
  readonly type: 'Feature';
  readonly geometry: { readonly type: 'Polygon'; readonly coordinates: readonly (readonly (readonly [number, number])[])[] } | null;
  readonly properties: {
    readonly empty: boolean;
    readonly whole: boolean;
    readonly estimate: { readonly lat: number; readonly lon: number } | null;
    readonly radiusKm: number | null;
  };
}

export interface RegionLandmark {
  readonly id: string;
  readonly name: string | null;
  readonly lat: number;
  readonly lon: number;
  /** The RTT of the measurement the bound grew from, and when it was taken. */
  readonly minRttMs: number;
  readonly measuredAt: string;
  /** How far from the landmark the host can be now: the RTT's distance grown by its travel since. */
  readonly boundKm: number;
}

/** `GET /api/v1/nodes/{id}/region` */
export interface NodeRegion {
  readonly outline: RegionFeature;
  readonly landmarks: readonly RegionLandmark[];
}

export interface GpuRecord {
  readonly uuid: string;
  readonly serial: string | null;
  readonly name: string;
  readonly pciBusId: string;
  /** When an inventory first listed it. */
  readonly firstSeenAt: string;
  /** When an inventory last listed it (agents send their inventory when it changes, not with every batch). */
  readonly lastSeenAt: string;
  /** When its newest raw sample was taken; null when the server keeps none. */
  readonly lastSampleAt: string | null;
  readonly missing: boolean;
  /** When the first inventory that lacks it came; null while listed. */
  readonly missingSince: string | null;
}

/** `GET /api/v1/nodes/{id}/inventory` */
export interface NodeInventory {
  readonly inventory: HostInventoryWire | null;
  readonly updatedAt: string | null;
  readonly gpus: readonly GpuRecord[];
}

export type SampleMetrics = Omit<GpuMetricsWire, 'uuid'>;

/** One GPU's readings at one time, from `GET /api/v1/nodes/{id}/samples`. */
export interface Sample {
  readonly gpu: string;
  readonly at: string;
  readonly metrics: SampleMetrics;
}

/** One event from `GET /api/v1/nodes/{id}/events`; `body` is the agent's event as sent, or the server's. */
export interface NodeEvent {
  readonly id: string;
  readonly kind: string;
  readonly at: string;
  readonly body: unknown;
}

export interface ZoneSummary {
  readonly id: string;
  readonly name: string;
  readonly claimedCountry: string | null;
  readonly createdAt: string;
  readonly members: number;
  readonly restricted: Restricted | null;
  readonly claim: Claim | null;
  readonly outliers: readonly string[];
}

export interface ZoneMember {
  readonly nodeId: string;
  readonly name: string;
  readonly measurements: number;
  readonly verdict: VerdictRecord;
}

/** `GET /api/v1/zones/{id}` */
export interface ZoneDetail {
  readonly id: string;
  readonly name: string;
  readonly claimedCountry: string | null;
  readonly createdAt: string;
  readonly restricted: Restricted | null;
  readonly claim: Claim | null;
  readonly members: readonly ZoneMember[];
  readonly ifColocated: VerdictRecord | null;
  readonly outliers: readonly string[];
}

/** `GET /api/v1/zones/{id}/regions` */
export interface ZoneRegions {
  readonly members: readonly { readonly nodeId: string; readonly name: string; readonly outline: RegionFeature }[];
  readonly ifColocated: RegionFeature | null;
}

/** One row of `GET /api/v1/nodes`: the node with its GPU count, health, last report and newest stored verdict. */
export interface ListedNode extends NodeInfo {
  readonly zoneName: string | null;
  readonly gpus: number;
  readonly health: Health;
  /** When its agent's last batch was stored; null before the first. */
  readonly lastReportAt: string | null;
  readonly verdict: { readonly restricted: Restricted; readonly claim: Claim | null; readonly countryEstimate: string | null; readonly computedAt: string } | null;
}

/** `GET /api/v1/nodes?…`: one page of the matches, and how many match in all. */
export interface NodeListPage {
  readonly nodes: readonly ListedNode[];
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
}

/** Members of a zone drawn as one circle: the cap enclosing each one's region (`radiusKm` null: the whole Earth). */
export interface FleetMapRegion {
  readonly lat: number;
  readonly lon: number;
  readonly radiusKm: number | null;
  readonly restricted: Restricted;
  readonly nodes: number;
}

export interface FleetMapZone {
  readonly id: string;
  readonly name: string;
  readonly claimedCountry: string | null;
  readonly members: number;
  readonly restricted: Restricted | null;
  readonly claim: Claim | null;
  readonly emptyRegions: number;
  readonly regions: readonly FleetMapRegion[];
}

/** `GET /api/v1/landmarks/status` (the operator's organization only). */
export interface LandmarkStatusList {
  /** How long without a stored measurement makes a landmark silent (the server's --landmark-silent-after-minutes). */
  readonly silentAfterS: number;
  readonly landmarks: readonly LandmarkStatus[];
}

/** When a landmark was registered and its newest stored measurement taken, and whether the server counts it silent. */
export interface LandmarkStatus {
  readonly id: string;
  readonly name: string;
  readonly country: string;
  readonly registeredAt: string;
  readonly lastMeasurementAt: string | null;
  /** The newest refusal of its own (signed) measurements: when the server refused one, and why. */
  readonly lastRefusal: Refusal | null;
  /** The refusal came after its newest stored measurement: what it sends is refused now. */
  readonly refused: boolean;
  readonly silent: boolean;
  /** The Locus version it runs, as its latest delivery that stored a measurement says; null before one. */
  readonly version: string | null;
}

/** `GET /api/v1/fleet/map` */
export interface FleetMapData {
  readonly zones: readonly FleetMapZone[];
  readonly landmarks: readonly LandmarkInfo[];
  readonly verdicts: Readonly<Record<Restricted | 'none', number>>;
}

// The server's list itself (a module of the protocol without dependencies), not a copy.
export { ALERT_KINDS, type AlertKind };

/** `GET /api/v1/alerts` */
export interface AlertList {
  readonly alerts: readonly Alert[];
  /** After a break of the servers: since when they are back, and until when no node turns silent; null otherwise. */
  readonly silenceHeld: { readonly serversUpSince: string; readonly until: string } | null;
}

/** One alert of `GET /api/v1/alerts`. */
export interface Alert {
  readonly id: string;
  readonly kind: AlertKind;
  readonly severity: string;
  readonly nodeId: string | null;
  readonly summary: string;
  readonly state: 'firing' | 'resolved';
  readonly firstFiredAt: string;
  readonly lastFiredAt: string;
  readonly resolvedAt: string | null;
  readonly muted: { readonly until: string; readonly reason: string } | null;
}

/** One rule of `GET /api/v1/mute-rules`. */
export interface MuteRule {
  readonly id: string;
  readonly kind: AlertKind | null;
  readonly nodeId: string | null;
  /** The zone whose members' alerts it mutes; null: any. */
  readonly zoneId: string | null;
  readonly zoneName: string | null;
  readonly until: string;
  readonly reason: string;
}

export interface Webhook {
  readonly id: string;
  readonly url: string;
  /** How long alert changes wait for others of their kind and zone, to go as one delivery; 0: each alone. */
  readonly groupWaitS: number;
  /** Told of alerts of this severity or worse (and of every resolution). */
  readonly minSeverity: 'warning' | 'critical';
  /** Told of alerts of these kinds only; null: every kind. */
  readonly kinds: readonly AlertKind[] | null;
  readonly createdAt: string;
}

export interface Delivery {
  readonly id: string;
  /** Null for a test delivery. */
  readonly alertId: string | null;
  /** fired, resolved, group (of `changes` alert changes) or test. */
  readonly event: string;
  /** The alert changes it carries: 1, more for a group, 0 for a test. */
  readonly changes: number;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
  /** Null before its first attempt. */
  readonly lastAttemptAt: string | null;
  /** When a pending one is tried next; null for the others. */
  readonly nextAttemptAt: string | null;
}

export const ROLES = ['owner', 'admin', 'viewer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string | null;
  readonly lastUsedAt: string | null;
  readonly expiresAt: string | null;
  readonly current: boolean;
}
