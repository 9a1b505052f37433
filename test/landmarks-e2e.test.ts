import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RESTRICTED, degrees, type LatLon } from '@locus/geo';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { startLandmarkServer, type LandmarkServer } from '@locus/landmark';
import { linkDelayBetween, startDelayProxy, type DelayProxy } from '@locus/netem';
import { MeasurementGate, buildProof, verifyProof } from '@locus/proof';
import { generateSigningKey, type LandmarkInfo, type SignedMeasurement, type SigningKey } from '@locus/protocol';
import { startResponder, type Responder } from '@locus/responder';

/**
 * Landmarks and hosts on loopback, each host↔landmark link delayed as the emulated geography
 * implies: the whole measurement path, from challenge to proof bundle.
 */
const world = naturalEarthWorld();
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const place = (lat: number, lon: number): LatLon => ({ lat: degrees(lat), lon: degrees(lon) });

const LANDMARKS: [string, string, string, LatLon][] = [
  ['sin-1', 'Singapore', 'SG', place(1.3521, 103.8198)],
  ['tyo-1', 'Tokyo', 'JP', place(35.6762, 139.6503)],
  ['fra-1', 'Frankfurt', 'DE', place(50.1109, 8.6821)],
  ['bom-1', 'Mumbai', 'IN', place(19.076, 72.8777)],
  ['syd-1', 'Sydney', 'AU', place(-33.8688, 151.2093)],
];
const SINGAPORE = place(1.2897, 103.8501);
const SHENZHEN = place(22.5431, 114.0579);

interface Host {
  readonly name: string;
  readonly key: SigningKey;
  readonly claims: string;
  readonly truth: LatLon;
}

const landmarks: { info: LandmarkInfo; server: LandmarkServer }[] = [];
const proxies: DelayProxy[] = [];
const responders: Responder[] = [];
const measured: SignedMeasurement[] = [];

/** Connects a host to every landmark through delay proxies: one hop per leg of `route`. */
async function connect(host: Host, route: (landmark: LatLon) => { legs: [LatLon, LatLon][]; extraMs?: number }): Promise<void> {
  for (const { info, server } of landmarks) {
    const { legs, extraMs = 0 } = route(place(info.lat, info.lon));
    let target = { host: '127.0.0.1', port: server.port };
    // Build the chain from the landmark outwards, so the host connects to the last proxy.
    for (const [i, [a, b]] of legs.entries()) {
      const link = linkDelayBetween(a, b);
      const proxy = await startDelayProxy({ target, link: { oneWayMs: link.oneWayMs + (i === 0 ? extraMs / 2 : 0) } });
      proxies.push(proxy);
      target = { host: proxy.host, port: proxy.port };
    }
    responders.push(startResponder({ url: `ws://${target.host}:${target.port}/v1/timing`, key: host.key }));
  }
}

const hosts = {
  honest: { name: 'honest host in Singapore', key: generateSigningKey(), claims: 'SG', truth: SINGAPORE },
  smuggled: { name: 'host in Shenzhen claiming Singapore', key: generateSigningKey(), claims: 'SG', truth: SHENZHEN },
  relayed: { name: 'Shenzhen key holder relaying through Singapore', key: generateSigningKey(), claims: 'SG', truth: SHENZHEN },
  delaying: { name: 'Shenzhen host slowing its nearest landmarks', key: generateSigningKey(), claims: 'TW', truth: SHENZHEN },
} satisfies Record<string, Host>;

beforeAll(async () => {
  for (const [id, name, country, at] of LANDMARKS) {
    const key = generateSigningKey();
    const info = { id, name, country, lat: at.lat, lon: at.lon, publicKey: key.publicKey };
    const server = await startLandmarkServer({
      info,
      key: key.privateKey,
      config: { rounds: 5, roundGapMs: { min: 1, max: 5 }, firstMeasureAfterMs: 20, measureEveryMs: 3_600_000 },
      onMeasurement: (m) => measured.push(m),
    });
    landmarks.push({ info, server });
  }
  await connect(hosts.honest, (l) => ({ legs: [[l, SINGAPORE]] }));
  await connect(hosts.smuggled, (l) => ({ legs: [[l, SHENZHEN]] }));
  // The relay box near Singapore forwards every byte to the key holder in Shenzhen.
  await connect(hosts.relayed, (l) => ({ legs: [[l, SINGAPORE], [SINGAPORE, SHENZHEN]] }));
  await connect(hosts.delaying, (l) => ({ legs: [[l, SHENZHEN]], extraMs: l.lat === LANDMARKS[0]![3].lat || l.lat === LANDMARKS[1]![3].lat ? 40 : 0 }));
  const expected = Object.keys(hosts).length * LANDMARKS.length;
  const end = performance.now() + 30_000;
  while (measured.length < expected && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
}, 60_000);

afterAll(async () => {
  await Promise.all(responders.map((r) => r.close()));
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(landmarks.map((l) => l.server.close()));
});

function proofFor(host: Host) {
  const gate = new MeasurementGate(landmarks.map((l) => l.info));
  const now = new Date();
  const accepted = measured.filter((m) => m.measurement.hostKey === host.key.publicKey && gate.check(m, now).ok);
  return buildProof(world, {
    hostKey: host.key.publicKey,
    claimed: host.claims,
    landmarks: landmarks.map((l) => l.info),
    measurements: accepted,
    speed: 'vacuum',
    restricted: DEFAULT_RESTRICTED,
    marginKm: 25,
    maxAgeMs: 3_600_000,
    travelKmPerH: 1200,
    createdAt: new Date(now.getTime() + 1),
  });
}

describe('landmarks measuring hosts over emulated geography', () => {
  it('measures every host from every landmark, never faster than light allows', () => {
    expect(measured).toHaveLength(Object.keys(hosts).length * LANDMARKS.length);
    for (const host of Object.values(hosts)) {
      for (const m of measured.filter((x) => x.measurement.hostKey === host.key.publicKey)) {
        const l = landmarks.find((x) => x.info.id === m.measurement.landmarkId)!.info;
        expect(m.measurement.minRttMs).toBeGreaterThanOrEqual(2 * linkDelayBetween(place(l.lat, l.lon), host.truth).oneWayMs);
      }
    }
  });

  it('excludes restricted countries for the honest host in Singapore, and its proof verifies', () => {
    const proof = proofFor(hosts.honest);
    expect(proof.measurements).toHaveLength(LANDMARKS.length);
    expect(proof.verdict.restricted).toBe('excluded');
    expect(proof.verdict.possibleCountries).toContain('SG');
    expect(proof.verdict.claim).not.toBe('contradicted');
    expect(verifyProof(world, JSON.parse(JSON.stringify(proof)), { trusted: landmarks.map((l) => l.info) })).toMatchObject({ ok: true });
    if (process.env.LOCUS_WRITE_EXAMPLES === '1') {
      mkdirSync(join(root, 'docs/examples'), { recursive: true });
      writeFileSync(join(root, 'docs/examples/proof-bundle.json'), `${JSON.stringify(proof, null, 2)}\n`);
    }
  });

  it.each([['smuggled'], ['relayed'], ['delaying']] as const)('never excludes the %s host in Shenzhen nor verifies its claim', (which) => {
    const proof = proofFor(hosts[which]);
    expect(proof.verdict.restricted).not.toBe('excluded');
    expect(proof.verdict.claim).not.toBe('verified');
    expect(proof.verdict.possibleCountries).toContain('CN');
    expect(verifyProof(world, JSON.parse(JSON.stringify(proof))).ok).toBe(true);
  });

  it('widens the relayed host region instead of moving it to the relay', () => {
    const direct = proofFor(hosts.smuggled).verdict;
    const relayed = proofFor(hosts.relayed).verdict;
    expect(relayed.radiusKm!).toBeGreaterThan(direct.radiusKm!);
    expect(relayed.restricted).not.toBe('excluded');
  });
});
