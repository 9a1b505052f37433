/** The delay an emulated link adds to every chunk, in each direction independently. */
export interface LinkDelay {
  /** Added to every chunk; the emulated link is never faster than this. */
  readonly oneWayMs: number;
  /** Up to this much more, drawn uniformly per chunk. Absent means none. */
  readonly jitterMs?: number;
}

/**
 * Throws a RangeError unless the link's delays are finite and not negative. A negative delay
 * would let a measured round trip beat the geography being emulated.
 */
export function assertValidLink(link: LinkDelay): void {
  const jitterMs = link.jitterMs ?? 0;
  if (!Number.isFinite(link.oneWayMs) || link.oneWayMs < 0) {
    throw new RangeError(`oneWayMs must be a finite number ≥ 0, got ${link.oneWayMs}`);
  }
  if (!Number.isFinite(jitterMs) || jitterMs < 0) {
    throw new RangeError(`jitterMs must be a finite number ≥ 0, got ${jitterMs}`);
  }
}

/**
 * One chunk's delay: `oneWayMs` plus a uniform share of `jitterMs`. The draw is clamped to
 * [0, 1] so that a misbehaving random source can never make the link faster than `oneWayMs`.
 */
export function sampleDelayMs(link: LinkDelay, random: () => number): number {
  const jitterMs = link.jitterMs ?? 0;
  if (jitterMs === 0) return link.oneWayMs;
  const draw = Math.min(1, Math.max(0, random()));
  return link.oneWayMs + (Number.isNaN(draw) ? 0 : draw) * jitterMs;
}
