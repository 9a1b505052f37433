import { sql, type RawBuilder } from 'kysely';
import { ROLLUP_BUCKET_MS } from '../telemetry-schema.js';

/**
 * SQL text of the 5-minute rollups, written once for both SQL families: column names come from
 * a fixed vocabulary (never from a request), values are always bound.
 */

/** The rollup columns of each metric column, in table order. */
export const rollupColumnsOf = (columns: readonly string[]): string[] => columns.flatMap((c) => [`${c}_min`, `${c}_max`, `${c}_sum`, `${c}_count`]);

/** `min(c), max(c), sum, count` of each column over raw samples, matching rollupColumnsOf. */
export const rollupAggregates = (columns: readonly string[]): string => columns.map((c) => `min(${c}), max(${c}), coalesce(sum(${c}), 0), count(${c})`).join(', ');

/** The bucket a raw sample's `at` falls in. */
export const BUCKET_OF_AT = `at - (at % ${ROLLUP_BUCKET_MS})`;

/**
 * Folds a new partial bucket into a stored one: sums and counts add up, min and max keep the
 * extreme. Written with CASE because SQLite's two-argument min() returns NULL when either side is.
 */
export const mergeRollup = (columns: readonly string[], table: string): string =>
  columns
    .flatMap((c) => [
      `${c}_min = case when ${table}.${c}_min is null or excluded.${c}_min < ${table}.${c}_min then excluded.${c}_min else ${table}.${c}_min end`,
      `${c}_max = case when ${table}.${c}_max is null or excluded.${c}_max > ${table}.${c}_max then excluded.${c}_max else ${table}.${c}_max end`,
      `${c}_sum = ${table}.${c}_sum + excluded.${c}_sum`,
      `${c}_count = ${table}.${c}_count + excluded.${c}_count`,
    ])
    .join(', ');

/** Replaces a stored bucket with one recomputed from raw samples. */
export const replaceRollup = (columns: readonly string[]): string =>
  rollupColumnsOf(columns)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');

/** The text of a recompute before and after its `where` condition. */
const recomputeAround = (columns: readonly string[]): [string, string] => [
  `insert into gpu_rollups_5m (node_key, bucket_at, series_id, ${rollupColumnsOf(columns).join(', ')}) select node_key, ${BUCKET_OF_AT} as bucket, series_id, ${rollupAggregates(columns)} from gpu_samples where`,
  `group by node_key, bucket, series_id on conflict (node_key, bucket_at, series_id) do update set ${replaceRollup(columns)}`,
];

/** Recomputes every bucket of the raw samples matching `where`, replacing the stored buckets. */
export const recomputeRollups = (columns: readonly string[], where: RawBuilder<unknown>): RawBuilder<unknown> => {
  const [head, tail] = recomputeAround(columns);
  return sql`${sql.raw(head)} ${where} ${sql.raw(tail)}`;
};

/** recomputeRollups as SQL text, `where` given as text with `?` placeholders (for a prepared statement). */
export const recomputeRollupsText = (columns: readonly string[], where: string): string => recomputeAround(columns).join(` ${where} `);
