/** Wall time, passed in so that tests control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A time in epoch milliseconds as an ISO 8601 string, as the API answers times; null for none. */
export const isoTime = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
