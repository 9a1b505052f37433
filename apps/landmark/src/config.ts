/** How a landmark measures. Times in milliseconds; every field is required once resolved. */
export interface MeasureConfig {
  /** Challenge/response rounds per measurement; the minimum RTT over them is kept. */
  readonly rounds: number;
  /** Pause between rounds, drawn uniformly from [min, max], so rounds sample different moments. */
  readonly roundGapMs: { readonly min: number; readonly max: number };
  /** How often each connected host is measured, ±20% jitter. */
  readonly measureEveryMs: number;
  /** Delay before a newly connected host is first measured, at the least. */
  readonly firstMeasureAfterMs: number;
  /**
   * The first measurement is put off by a further random share of this much per host connected
   * (at most measureEveryMs): hosts reconnecting all at once after a landmark restarts are
   * measured spread over the interval, not in one burst whose queueing would add to their RTTs.
   * At 6 ms, 10,000 hosts spread over a minute; one host waits 6 ms more at most.
   */
  readonly firstMeasureSpreadPerHostMs: number;
  /** A round with no answer within this time ends the measurement (and the connection). */
  readonly responseTimeoutMs: number;
  /** A host that sends no hello within this time is disconnected. */
  readonly helloTimeoutMs: number;
  /** Hosts beyond this many connections are refused with LOCUS_ERR_PROTO_BUSY. */
  readonly maxConnections: number;
}

export const DEFAULT_MEASURE_CONFIG: MeasureConfig = Object.freeze({
  rounds: 10,
  roundGapMs: Object.freeze({ min: 20, max: 80 }),
  measureEveryMs: 60_000,
  firstMeasureAfterMs: 200,
  firstMeasureSpreadPerHostMs: 6,
  responseTimeoutMs: 5_000,
  helloTimeoutMs: 10_000,
  maxConnections: 10_000,
});

/** Wall clock, monotonic clock and randomness, passed in so that tests control them. */
export interface LandmarkEnv {
  readonly now: () => Date;
  readonly monotonicNs: () => bigint;
  readonly randomBytes: (n: number) => Buffer;
  readonly random: () => number;
}

/** The path agents connect to. */
export const TIMING_PATH = '/v1/timing';
