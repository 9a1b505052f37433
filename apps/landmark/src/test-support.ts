import { generateSigningKey, type LandmarkInfo, type SigningKey } from '@locus/protocol';

/** A landmark identity for tests: a fresh key at a given place. */
export function testLandmark(id: string, lat: number, lon: number, country = 'DE'): { info: LandmarkInfo; key: SigningKey } {
  const key = generateSigningKey();
  return { key, info: { id, name: id, country, lat, lon, publicKey: key.publicKey } };
}

/** Resolves when `check` holds, polling every 5 ms; rejects after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const FAST = { rounds: 5, roundGapMs: { min: 1, max: 3 }, firstMeasureAfterMs: 5, measureEveryMs: 60_000 } as const;
