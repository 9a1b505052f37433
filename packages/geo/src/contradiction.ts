import type { SpeedModel } from './speed.js';
import { regionFromRtts, type RttBound } from './verdict.js';

/**
 * When bounds fit no single place, the bounds that alone stand in the way: each one without
 * which the others do fit one place. Empty when the bounds fit (nothing to blame) or when no
 * single bound explains the conflict (two or more are wrong, or two hosts answer). An RTT can
 * only be too short, never too long, to contradict the others, so a bound named here measured
 * something closer than its landmark's audited place allows: the landmark is not where it says,
 * its clock is wrong, or another host answered it.
 */
export function soleContradictions<B extends RttBound>(bounds: readonly B[], speed: SpeedModel): B[] {
  if (bounds.length < 2 || !regionFromRtts(bounds, speed).empty) return [];
  return bounds.filter((b) => !regionFromRtts(bounds.filter((other) => other !== b), speed).empty);
}
