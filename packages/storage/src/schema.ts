/**
 * Tables, as Kysely sees them. Times are epoch milliseconds (BIGINT); JSON is stored as text
 * so that both dialects read back exactly the bytes written (signed measurements must verify).
 */
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
}

export interface LandmarkTable {
  id: string;
  name: string;
  country: string;
  lat: number;
  lon: number;
  public_key: string;
  registered_at: number;
}

export interface NodeTable {
  id: string;
  org_id: string;
  name: string;
  host_key: string;
  claimed_country: string | null;
  created_at: number;
  last_measured_at: number | null;
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
}

export interface Database {
  orgs: OrgTable;
  tokens: TokenTable;
  landmarks: LandmarkTable;
  nodes: NodeTable;
  measurements: MeasurementTable;
  verdicts: VerdictTable;
}
