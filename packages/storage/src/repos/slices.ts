/**
 * Runs `query` on slices of at most 5,000 ids and joins its rows: PostgreSQL and SQLite both take
 * thousands of parameters in an IN list, not unboundedly many.
 */
export async function bySlices<T>(ids: readonly string[], query: (slice: readonly string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += 5_000) out.push(...(await query(ids.slice(i, i + 5_000))));
  return out;
}

/** The items by their key, each group in the items' order. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const group = out.get(keyOf(item));
    if (group) group.push(item);
    else out.set(keyOf(item), [item]);
  }
  return out;
}
