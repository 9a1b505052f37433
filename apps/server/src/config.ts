import { DEFAULT_BORDER_MARGIN, DEFAULT_RESTRICTED, type CountryCode } from '@locus/geo';

/** Server settings. Durations in milliseconds; every field resolved, then frozen. */
export interface ServerConfig {
  /** Measurements older than this are refused on arrival and left out of verdicts and proofs. */
  readonly measurementMaxAgeMs: number;
  /** How far in the future a landmark's clock may date a measurement. */
  readonly measurementMaxSkewMs: number;
  readonly restricted: readonly CountryCode[];
  readonly marginKm: number;
  /**
   * A node measured again within this long of its last judgement is judged again at its end,
   * not at once: at fleet scale (every landmark measuring every host each minute) a node is
   * judged about once an interval, not once a measurement. What new measurements show (a
   * tighter region, two hosts answering for one key) waits at most this long (and a loop run).
   */
  readonly verdictIntervalMs: number;
  /** Largest request body, in bytes. */
  readonly bodyLimitBytes: number;
  /** A node whose agent has not reported for this long raises a node-silent alert. */
  readonly silentAfterMs: number;
  /**
   * A landmark none of whose measurements the server has stored for this long is silent: the
   * landmark-silent alert, and `silent` in GET /api/v1/landmarks/status. Longer than the
   * landmarks' measuring interval (a minute by default).
   */
  readonly landmarkSilentAfterMs: number;
  /**
   * How often the background loop reconciles every node's alerts with all its facts. Its runs in
   * between check silence alone (Alerting.checkSilence): every other condition is evaluated on the
   * event that changes it, so this sweep is a backstop.
   */
  readonly alertSweepEveryMs: number;
  /** Agent batches received or stored at once; more are answered 429 with Retry-After. */
  readonly ingestMaxInFlight: number;
  /**
   * A request must arrive in full (headers and body) within this time, else it is answered 408
   * and its connection closed: an ingest slot is taken before the body is read, so without it a
   * sender that stops halfway held one for good (and 64 such held ingest shut for every agent).
   */
  readonly requestTimeoutMs: number;
  /**
   * Landmark deliveries received or checked at once; more are answered 429 with Retry-After. The
   * route takes no token (each measurement's signature is its authentication), so this bounds the
   * signatures anyone can have the server check at once.
   */
  readonly measurementsMaxInFlight: number;
  /** Raw GPU samples (and batch ids) older than this are deleted; their 5-minute rollups stay. */
  readonly rawRetentionMs: number;
  /** 5-minute rollups older than this are deleted. */
  readonly rollupRetentionMs: number;
  /**
   * Landmark measurements (the signed evidence behind verdicts and proofs), and verdicts, older
   * than this are deleted (each node's newest verdict kept); at least measurementMaxAgeMs, so
   * that no verdict loses one it rests on.
   */
  readonly measurementRetentionMs: number;
  /**
   * Whether measurements past the verdict window are compacted to each landmark's least per host
   * and 10-minute bucket, with those stored verdicts rest on (TelemetryRetention); false keeps
   * every one for the whole retention (about 10× the storage).
   */
  readonly measurementCompaction: boolean;
  /** Finished webhook deliveries (delivered or failed) older than this leave the delivery log; pending ones stay until they finish. */
  readonly deliveryRetentionMs: number;
  /** Rows one retention statement deletes at most, which bounds how long ingest waits behind it. */
  readonly retentionChunkRows: number;
  /** Telemetry ranges up to this long (and within raw retention) are answered from raw samples; longer ones from rollups. */
  readonly rawQueryMaxRangeMs: number;
  /**
   * Reverse proxies whose X-Forwarded-For the server believes (addresses or CIDR ranges), so that
   * a node's recorded address is its agent's, not the proxy's; empty: believe none.
   */
  readonly trustProxy: readonly string[];
  /**
   * Addresses or CIDR ranges that are not public but that webhooks of organizations other than the
   * operator's may reach all the same (WebhookDestinations); empty: public addresses only.
   */
  readonly webhookAllow: readonly string[];
}

export const DEFAULT_SERVER_CONFIG: ServerConfig = Object.freeze({
  measurementMaxAgeMs: 6 * 3600_000,
  measurementMaxSkewMs: 60_000,
  restricted: Object.freeze([...DEFAULT_RESTRICTED]),
  marginKm: DEFAULT_BORDER_MARGIN,
  verdictIntervalMs: 60_000,
  bodyLimitBytes: 1024 * 1024,
  silentAfterMs: 5 * 60_000,
  landmarkSilentAfterMs: 15 * 60_000,
  alertSweepEveryMs: 5 * 60_000,
  ingestMaxInFlight: 64,
  requestTimeoutMs: 60_000,
  measurementsMaxInFlight: 32,
  rawRetentionMs: 7 * 86_400_000,
  rollupRetentionMs: 400 * 86_400_000,
  measurementRetentionMs: 30 * 86_400_000,
  measurementCompaction: true,
  deliveryRetentionMs: 30 * 86_400_000,
  retentionChunkRows: 5_000,
  rawQueryMaxRangeMs: 6 * 3600_000,
  trustProxy: Object.freeze([]),
  webhookAllow: Object.freeze([]),
});

/**
 * Landmark measurements taken before this are deleted (retention), never those the verdict
 * window still holds: what a proof can be built from at `now`.
 */
export const measurementsKeptSince = (config: ServerConfig, now: number): number => now - Math.max(config.measurementRetentionMs, config.measurementMaxAgeMs);

/** The org every first-start token belongs to. */
export const DEFAULT_ORG = 'default';
