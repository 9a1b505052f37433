import { syntheticRtt, TYPICAL_PATH, type LatLon, type PathModel } from '@locus/geo';
import type { LinkDelay } from './link.js';

/**
 * The link between two places: half of `syntheticRtt` each way, so a round trip measured
 * through the proxy is never below the light-speed bound for that geography.
 */
export function linkDelayBetween(a: LatLon, b: LatLon, path: PathModel = TYPICAL_PATH): LinkDelay {
  return { oneWayMs: syntheticRtt(a, b, path) / 2 };
}
