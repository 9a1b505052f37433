import { ROLLUP_BUCKET_MS, type Resolution } from '@locus/storage';
import type { ServerConfig } from './config.js';

/** Without `from`, a range covers this much before `to`. */
export const DEFAULT_RANGE_MS = 3600_000;
/** Without `step`, about this many points per series. */
const TARGET_POINTS = 200;
/** At most this many points per series; a longer range needs a coarser step. */
export const MAX_POINTS = 2_000;
/**
 * `resolution=raw` may be asked for ranges up to this many times `rawQueryMaxRangeMs` (a day by
 * default): a raw read costs a row per GPU and interval, and a zone-wide one over the whole raw
 * retention could scan hundreds of millions of rows at one reader's request.
 */
export const RAW_ASKED_RANGE_FACTOR = 4;
/** Step sizes chosen when none is asked for. */
const NICE_STEPS_S = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800] as const;

export interface WindowAsked {
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  readonly stepS?: number | undefined;
  readonly resolution?: Resolution | undefined;
}

export interface TelemetryWindow {
  readonly from: number;
  readonly to: number;
  readonly stepMs: number;
  readonly resolution: Resolution;
}

/** A span as people say it: 90 s, 36 min, 27 h, 28 days. */
function span(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${+s.toFixed(1)} s`;
  if (s < 7200) return `${+(s / 60).toFixed(1)} min`;
  if (s < 172_800) return `${+(s / 3600).toFixed(1)} h`;
  return `${+(s / 86_400).toFixed(1)} days`;
}

/**
 * The window a range query reads: raw samples for ranges up to `rawQueryMaxRangeMs` that start
 * within raw retention, the 5-minute rollups otherwise (or as asked). The step is rounded up to
 * whole 5 minutes on rollups. A string is a reason to refuse the query (raw asked for over too long a range, too many points),
 * naming the parameter to change as a validation message does.
 */
export function telemetryWindow(asked: WindowAsked, now: number, config: Pick<ServerConfig, 'rawRetentionMs' | 'rawQueryMaxRangeMs'>): TelemetryWindow | string {
  const to = asked.to ?? now;
  const from = asked.from ?? to - DEFAULT_RANGE_MS;
  if (from >= to) return `from: must be before to (from ${new Date(from).toISOString()}, to ${new Date(to).toISOString()})`;
  const range = to - from;
  const rawMaxMs = config.rawQueryMaxRangeMs * RAW_ASKED_RANGE_FACTOR;
  if (asked.resolution === 'raw' && range > rawMaxMs) return `resolution: raw samples are read over at most ${span(rawMaxMs)}, and from … to spans ${span(range) === span(rawMaxMs) ? 'a little more' : span(range)}; ask for a shorter range, or for 5-minute rollups (resolution=5m, the default for long ranges)`;
  const resolution = asked.resolution ?? (range <= config.rawQueryMaxRangeMs && from >= now - config.rawRetentionMs ? 'raw' : '5m');
  let stepMs = asked.stepS !== undefined ? asked.stepS * 1000 : (NICE_STEPS_S.find((s) => s * 1000 * TARGET_POINTS >= range) ?? NICE_STEPS_S.at(-1)!) * 1000;
  if (resolution === '5m') stepMs = Math.ceil(stepMs / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS;
  if (range / stepMs > MAX_POINTS) {
    return `step: ${stepMs / 1000} s over ${span(range)} makes ${Math.ceil(range / stepMs)} points a series, and a query gets at most ${MAX_POINTS}; ask for step=${Math.ceil(range / MAX_POINTS / 1000)} (seconds) or more`;
  }
  return { from, to, stepMs, resolution };
}
