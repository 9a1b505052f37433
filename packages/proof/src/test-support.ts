import { degrees, ms, syntheticRtt } from '@locus/geo';
import { PROTOCOL_VERSION, generateSigningKey, hashNonces, signMeasurement, toBase64url, type LandmarkInfo, type SignedMeasurement, type SigningKey } from '@locus/protocol';
import { randomBytes } from 'node:crypto';

export interface TestLandmark {
  readonly info: LandmarkInfo;
  readonly key: SigningKey;
}

export function landmarkAt(id: string, country: string, lat: number, lon: number): TestLandmark {
  const key = generateSigningKey();
  return { key, info: { id, name: id, country, lat, lon, publicKey: key.publicKey } };
}

export const LANDMARKS = (): TestLandmark[] => [
  landmarkAt('sin', 'SG', 1.3521, 103.8198),
  landmarkAt('tyo', 'JP', 35.6762, 139.6503),
  landmarkAt('fra', 'DE', 50.1109, 8.6821),
  landmarkAt('bom', 'IN', 19.076, 72.8777),
  landmarkAt('syd', 'AU', -33.8688, 151.2093),
];

/** A measurement a landmark would sign for a host truly at (lat, lon), plus `addedMs` of delay. */
export function measure(l: TestLandmark, hostKey: string, at: { lat: number; lon: number }, when: Date, addedMs = 0): SignedMeasurement {
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
