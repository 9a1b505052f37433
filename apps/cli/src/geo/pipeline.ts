import { verifyTarget, type CountryCode, type Km, type RttBound, type SpeedModel, type Verdict, type World } from '@locus/geo';
import type { Landmark, Target } from './inputs.js';

export interface VerifyRun {
  readonly speed: SpeedModel;
  readonly restricted: readonly CountryCode[];
  readonly marginKm: Km;
}

export interface TargetVerdict {
  readonly target: string;
  readonly verdict: Verdict;
}

/** Verifies each target in order; `onProgress` hears after each one. */
export function verifyTargets(
  world: World,
  landmarks: ReadonlyMap<string, Landmark>,
  targets: readonly Target[],
  claims: ReadonlyMap<string, { readonly country: CountryCode }>,
  run: VerifyRun,
  onProgress?: (done: number, total: number) => void,
): TargetVerdict[] {
  const restricted = new Set(run.restricted);
  return targets.map((target, i) => {
    const bounds: RttBound[] = [...target.rtts].map(([id, rtt]) => {
      const { lat, lon } = landmarks.get(id)!;
      return { lat, lon, rtt };
    });
    const verdict = verifyTarget(world, bounds, claims.get(target.id)?.country ?? null, { speed: run.speed, restricted, marginKm: run.marginKm });
    onProgress?.(i + 1, targets.length);
    return { target: target.id, verdict };
  });
}
