import { randomBytes } from 'node:crypto';
import { degrees, ms, syntheticRtt } from '@locus/geo';
import { PROTOCOL_VERSION, generateSigningKey, hashNonces, signMeasurement, toBase64url, type LandmarkInfo, type SignedMeasurement, type SigningKey } from '@locus/protocol';

/** A landmark with its signing key, for tests. */
export interface TestLandmark {
  readonly info: LandmarkInfo;
  readonly key: SigningKey;
}

export function landmarkAt(id: string, country: string, lat: number, lon: number): TestLandmark {
  const key = generateSigningKey();
  return { key, info: { id, name: id, country, lat, lon, publicKey: key.publicKey } };
}

/**
 * The measurement landmark `l` would sign for a host truly at `at`: RTT from geography (fibre,
 * route 1.3× the distance, 0.1 ms overhead) plus `addedMs` of delay the host chose to add.
 */
export function signedMeasurement(l: TestLandmark, hostKey: string, at: { lat: number; lon: number }, when: Date, addedMs = 0): SignedMeasurement {
  const rtt = syntheticRtt({ lat: degrees(l.info.lat), lon: degrees(l.info.lon) }, { lat: degrees(at.lat), lon: degrees(at.lon) }, { stretch: 1.3, overheadMs: ms(0.1) }) + addedMs;
  return signMeasurement(
    {
      v: PROTOCOL_VERSION,
      landmarkId: l.info.id,
      landmarkAt: { lat: l.info.lat, lon: l.info.lon },
      hostKey,
      noncesHash: hashNonces(Array.from({ length: 10 }, () => toBase64url(randomBytes(32)))),
      rounds: 10,
      minRttMs: Math.round(rtt * 1e6) / 1e6,
      medianRttMs: Math.round((rtt + 0.4) * 1e6) / 1e6,
      measuredAt: when.toISOString(),
    },
    l.key.privateKey,
  );
}

/**
 * Measurements summed up per landmark and time bucket from the measurements themselves, oldest
 * bucket first: what MeasurementRepo.buckets answers from its summary, for tests to compare.
 */
export function bucketsOf(measurements: readonly SignedMeasurement[], bucketMs: number): { landmarkId: string; bucket: number; minRttMs: number; at: number; count: number }[] {
  const sums = new Map<string, { landmarkId: string; bucket: number; minRttMs: number; at: number; count: number }>();
  for (const { measurement: m } of measurements) {
    const at = Date.parse(m.measuredAt);
    const bucket = Math.floor(at / bucketMs);
    const key = `${bucket}/${m.landmarkId}`;
    const sum = sums.get(key);
    if (!sum) sums.set(key, { landmarkId: m.landmarkId, bucket, minRttMs: m.minRttMs, at, count: 1 });
    else {
      sum.count++;
      if (m.minRttMs < sum.minRttMs || (m.minRttMs === sum.minRttMs && at < sum.at)) Object.assign(sum, { minRttMs: m.minRttMs, at });
    }
  }
  return [...sums.values()].sort((a, b) => a.bucket - b.bucket || (a.landmarkId < b.landmarkId ? -1 : a.landmarkId > b.landmarkId ? 1 : 0));
}
