/**
 * Tables, as Kysely sees them. Times are epoch milliseconds (BIGINT); JSON is stored as text
 * so that both dialects read back exactly the bytes written (signed measurements must verify).
 */
import type { ColumnType, Generated } from 'kysely';
import type { TelemetryTables } from './telemetry-schema.js';

export interface OrgTable {
  id: string;
  name: string;
  created_at: number;
}

export const ROLES = ['owner', 'admin', 'viewer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenTable {
  id: string;
  org_id: string;
  name: string;
  role: Role;
  /** SHA-256 of the token; the token itself is never stored. */
  hash: string;
  created_at: number;
  last_used_at: number | null;
  /** After this the token no longer works; null: never. */
  expires_at: number | null;
}

export interface LandmarkTable {
  id: string;
  name: string;
  country: string;
  lat: number;
  lon: number;
  public_key: string;
  registered_at: number;
  /** When the operator withdrew trust in it; null while it is trusted. */
  revoked_at: number | null;
  /** When its newest stored measurement was taken (ms); null before the first (migration 0024: inserts leave it out). */
  last_measurement_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** The newest refusal of its own (signed) measurements: when (ms), code and message; null before any (migration 0025). */
  last_refusal_at: ColumnType<number | null, number | null | undefined, number | null>;
  last_refusal_code: ColumnType<string | null, string | null | undefined, string | null>;
  last_refusal_message: ColumnType<string | null, string | null | undefined, string | null>;
  /** Its software version, as the User-Agent of its latest delivery that stored a measurement of its own says; null before one (migration 0029). */
  version: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface NodeTable {
  id: string;
  org_id: string;
  name: string;
  host_key: string;
  claimed_country: string | null;
  created_at: number;
  last_measured_at: number | null;
  /** When the agent left; the node's history stays for auditors. */
  unenrolled_at: number | null;
  zone_id: string | null;
  /** The newest refusal of a batch its agent signed: when (ms), code and message; null before any (migration 0026: inserts leave it out). */
  last_refusal_at: ColumnType<number | null, number | null | undefined, number | null>;
  last_refusal_code: ColumnType<string | null, string | null | undefined, string | null>;
  last_refusal_message: ColumnType<string | null, string | null | undefined, string | null>;
  /** The Locus agent's version, as its latest inventory says; null before one that says it (migration 0027: inserts leave it out). */
  agent_version: ColumnType<string | null, string | null | undefined, string | null>;
}

/** When a node's verdict loses a bound (a measurement it rests on leaves the window): judged again then. */
export interface VerdictExpiryTable {
  node_id: string;
  expires_at: number;
}

/** When a node was last judged, and on how many measurements (its verdict row is stored only when it changes). */
export interface NodeJudgementTable {
  node_id: string;
  judged_at: number;
  measurements: number;
  /** The last judgement's VerdictRecord as JSON; null when judged before it was kept. */
  record: string | null;
  /** The last judgement whose `restricted` was not `excluded`; null: none since this was kept. */
  unexcluded_at: number | null;
}

/** The parameters the stored verdicts were judged with (one row, id "current"). */
export interface VerdictParametersTable {
  id: string;
  /** Canonical JSON of the parameters. */
  parameters: string;
  noted_at: number;
}

export interface ZoneTable {
  id: string;
  org_id: string;
  name: string;
  claimed_country: string | null;
  created_at: number;
}

export interface MeasurementTable {
  /** SHA-256 of the round nonces: unique, which is what makes a replay impossible to store. */
  nonces_hash: string;
  landmark_id: string;
  host_key: string;
  min_rtt_ms: number;
  measured_at: number;
  received_at: number;
  /** The signed measurement exactly as received, for proofs. */
  body: string;
  /** 1: a stored verdict rests on it (its landmark's least RTT in that verdict's window), so compaction keeps it. */
  kept: Generated<number>;
}

/** A host's measurements by one landmark in one bucket of MEASUREMENT_BUCKET_MS, summed up as they are stored. */
export interface MeasurementBucketTable {
  host_key: string;
  /** floor(measured time / MEASUREMENT_BUCKET_MS). */
  bucket: number;
  landmark_id: string;
  /** The least minimum RTT among them. */
  min_rtt_ms: number;
  /** When the first of those with that least RTT was taken. */
  first_at: number;
  /** How many measurements. */
  n: number;
}

export interface VerdictTable {
  id: string;
  node_id: string;
  computed_at: number;
  restricted: string;
  claim: string | null;
  measurements: number;
  /** The published verdict record (JSON). */
  record: string;
  /** Notes beside the record (JSON array), e.g. a key measured in two places at once; null: none. */
  notes: string | null;
}

export interface EnrollmentTokenTable {
  id: string;
  org_id: string;
  hash: string;
  uses_left: number;
  expires_at: number;
  created_at: number;
  /** Nodes enrolled with this token join this zone. */
  zone_id: string | null;
}

export interface NodeInventoryTable {
  node_id: string;
  /** The agent's last host inventory (JSON). */
  inventory: string;
  updated_at: number;
}

export interface GpuTable {
  node_id: string;
  uuid: string;
  serial: string | null;
  name: string;
  pci_bus_id: string;
  /** When an inventory first listed it. */
  first_seen_at: number;
  /** When an inventory last listed it (an agent sends its inventory only when it changes: not when it was last sampled). */
  last_seen_at: number;
  /** When the first inventory that lacks it came; null while the latest lists it (migration 0028: inserts leave it out). */
  missing_since: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface IngestBatchTable {
  batch_id: string;
  node_id: string;
  received_at: number;
}

export interface NodeAddressTable {
  node_id: string;
  /** Where the agent's last request came from, as the server saw it (behind trusted proxies, the client they name). */
  address: string;
  /** When requests began to come from this address. */
  since: number;
}

/** A node's latest health per component and GPU (`gpu` '' for the host). */
export interface NodeHealthTable {
  node_id: string;
  component: string;
  gpu: string;
  health: string;
  reason: string;
  suggested_action: string | null;
  at: number;
  /** The health event this row comes from. */
  event_id: string;
}

export interface EventTable {
  id: string;
  node_id: string;
  kind: string;
  at: number;
  body: string;
}

export const ALERT_STATES = ['firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/**
 * What happened to an alert: it fired (again), resolved, or changed severity while firing (a
 * restricted verdict gone from possible to certain, or back).
 */
export const ALERT_CHANGES = ['fired', 'resolved', 'severity-changed'] as const;
export type AlertChange = (typeof ALERT_CHANGES)[number];

export interface AlertTable {
  id: string;
  org_id: string;
  /** What the alert is about, unique per org: one alert per condition, fired and resolved over time. */
  key: string;
  kind: string;
  severity: string;
  node_id: string | null;
  summary: string;
  state: AlertState;
  first_fired_at: number;
  last_fired_at: number;
  resolved_at: number | null;
  /**
   * What webhooks were not told of it (a mute kept it from them): 0 nothing; 1 its latest firing
   * or severity change, while they do not hold it open; 3 the same while they hold it open (told
   * it fired, not since that it resolved); 2 its resolution, while they hold it open (migration
   * 0030). 1 and 3 are told as `fired` if it still fires when the mute ends, 2 as `resolved` if it
   * is still resolved.
   */
  untold: number;
}

export interface MuteRuleTable {
  id: string;
  org_id: string;
  /** Null matches every kind. */
  kind: string | null;
  /** Null matches every node. */
  node_id: string | null;
  /** Null matches every zone; a zone matches the alerts of the nodes in it when they fire or resolve. */
  zone_id: string | null;
  until: number;
  reason: string;
  created_at: number;
}

export interface WebhookTable {
  id: string;
  org_id: string;
  url: string;
  /** HMAC key for the X-Locus-Signature header; kept to sign, so it is a secret at rest. */
  secret: string;
  created_at: number;
  /**
   * 0: each alert change is a delivery of its own. Otherwise changes of one kind in one zone are
   * held (webhook_waiting) and sent as one delivery once the first has waited this long.
   */
  group_wait_ms: number;
  /** Told of alerts of this severity or worse (warning: all); a resolution of any alert it may have been told of. */
  min_severity: AlertSeverity;
  /** Told of alerts of these kinds only (a JSON array); null: of every kind. */
  kinds: string | null;
}

export const ALERT_SEVERITIES = ['warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface WebhookDeliveryTable {
  id: string;
  webhook_id: string;
  /** The alert it tells of; '' for a group's (webhook_delivery_alerts has each of its alerts) and a test. */
  alert_id: string;
  event: string;
  body: string;
  status: DeliveryState;
  attempts: number;
  next_attempt_at: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  /** When it was last tried; null before its first attempt. */
  last_attempt_at: number | null;
  /** The alert changes it carries: 1, more for a group, 0 for a test. */
  changes: number;
}

/** An alert a delivery told of (its own, or one of its group's): what keeps an alert's deliveries in order. */
export interface WebhookDeliveryAlertTable {
  delivery_id: string;
  alert_id: string;
  webhook_id: string;
  /** The delivery's. */
  created_at: number;
}

/** An alert change held for its group's delivery to a webhook that groups them. */
export interface WebhookWaitingTable {
  id: string;
  webhook_id: string;
  kind: string;
  /** The zone of the alert's node; '' for none (no zone, or no node). */
  zone_id: string;
  event: AlertChange;
  /** Its severity before, for a severity change; else null. */
  previous_severity: string | null;
  /** The alert as published when it changed (JSON). */
  alert: string;
  created_at: number;
  /** When the group may go: its first change's due time is the group's. */
  due_at: number;
}

export interface ServerKeyTable {
  /** What the key signs, e.g. "report". */
  purpose: string;
  /** The Ed25519 seed, base64url: a secret at rest, like the webhook secrets. */
  seed: string;
  public_key: string;
  created_at: number;
}

export interface ReportTable {
  id: string;
  org_id: string;
  format: string;
  zone_id: string | null;
  created_at: number;
  /** The id of the API token that asked for it. */
  created_by: string;
  body: string;
  /** The detached signature document, JSON. */
  signature: string;
}

export interface BackgroundLeaseTable {
  /** A background task of the server's loop, e.g. "alert-sweep". */
  task: string;
  /** The server process that runs it (an id each process draws when it starts). */
  holder: string;
  expires_at: number;
}

export interface ServiceUptimeTable {
  /** What was up, e.g. "ingest": the fleet's servers, any replica of them. */
  service: string;
  /** Since when without a break. */
  since: number;
  /** When a server last said it was up. */
  seen_at: number;
}

/** How far a retention task has gone, e.g. measurement compaction: everything before `done_before` is done. */
export interface RetentionMarkTable {
  task: string;
  done_before: number;
}

export interface Database extends TelemetryTables {
  orgs: OrgTable;
  tokens: TokenTable;
  landmarks: LandmarkTable;
  nodes: NodeTable;
  measurements: MeasurementTable;
  measurement_buckets: MeasurementBucketTable;
  verdicts: VerdictTable;
  verdict_expiry: VerdictExpiryTable;
  node_judgements: NodeJudgementTable;
  verdict_parameters: VerdictParametersTable;
  enrollment_tokens: EnrollmentTokenTable;
  node_inventory: NodeInventoryTable;
  gpus: GpuTable;
  ingest_batches: IngestBatchTable;
  node_addresses: NodeAddressTable;
  node_health: NodeHealthTable;
  events: EventTable;
  zones: ZoneTable;
  alerts: AlertTable;
  mute_rules: MuteRuleTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_waiting: WebhookWaitingTable;
  webhook_delivery_alerts: WebhookDeliveryAlertTable;
  server_keys: ServerKeyTable;
  reports: ReportTable;
  background_leases: BackgroundLeaseTable;
  service_uptime: ServiceUptimeTable;
  retention_marks: RetentionMarkTable;
}
