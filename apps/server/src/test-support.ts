import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { PROTOCOL_VERSION, generateSigningKey, signBody, type GpuMetricsWire, type SentInventoryWire, type LandmarkInfo, type SigningKey } from '@locus/protocol';
import { migrateToLatest, openStorage, type Role, type Storage } from '@locus/storage';
import { landmarkAt } from '../../../test/support/measurements.js';
import { buildApp, type AppDeps } from './app.js';
import { hashToken } from './auth.js';
import type { Clock } from './clock.js';
import { DEFAULT_ORG, DEFAULT_SERVER_CONFIG, type ServerConfig } from './config.js';
import type { BatchDecoder } from './ingest/decoder.js';
import { reposOf } from './repos.js';

export const world = naturalEarthWorld();

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  #t: number;
  constructor(iso = '2026-11-29T12:00:00.000Z') {
    this.#t = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.#t);
  }
  advance(ms: number): void {
    this.#t += ms;
  }
}

export interface TestServer {
  readonly app: FastifyInstance;
  readonly storage: Storage;
  readonly clock: TestClock;
  /** Creates an org with a token of the given role; returns the bearer header. */
  tokenFor(orgId: string, role: Role): Promise<{ authorization: string }>;
  /** Registers landmarks as the server operator (the default org's owner), who alone may. */
  registerLandmarks(infos: readonly LandmarkInfo[]): Promise<void>;
  close(): Promise<void>;
}

export async function testServer(spec = 'sqlite::memory:', settings: Partial<ServerConfig> = {}, decoder?: BatchDecoder, deps: Pick<AppDeps, 'changeStreams'> = {}): Promise<TestServer> {
  const storage = await openStorage(spec);
  await migrateToLatest(storage);
  const clock = new TestClock();
  const app = await buildApp({ storage, world, config: { ...DEFAULT_SERVER_CONFIG, ...settings }, clock, decoder, ...deps });
  const repos = reposOf(storage);
  const tokenFor = async (orgId: string, role: Role) => {
    await repos.orgs.ensure({ id: orgId, name: orgId, created_at: 0 });
    const token = `locus_${randomUUID()}`;
    await repos.tokens.create({ id: randomUUID(), org_id: orgId, name: role, role, hash: hashToken(token), created_at: 0, last_used_at: null, expires_at: null });
    return { authorization: `Bearer ${token}` };
  };
  return {
    app,
    storage,
    clock,
    tokenFor,
    registerLandmarks: async (infos) => {
      const headers = await tokenFor(DEFAULT_ORG, 'owner');
      for (const info of infos) {
        const res = await app.inject({ method: 'POST', url: '/api/v1/landmarks', headers, payload: info });
        if (res.statusCode >= 300) throw new Error(`landmark ${info.id}: ${res.statusCode} ${res.body}`);
      }
    },
    close: async () => {
      await app.close();
      await storage.close();
    },
  };
}

/** A host inventory as an agent sends it, with these GPUs (H100s). */
export const hostInventory = (gpus: readonly { uuid: string; serial: string }[], agentVersion = '0.1.0'): SentInventoryWire => ({
  hostname: 'gpu-host-01',
  machineId: 'abc123',
  os: 'Debian GNU/Linux 12',
  kernel: '6.1.0',
  cpu: { model: 'AMD EPYC 9654', cores: 192 },
  memoryBytes: 2 * 1024 ** 4,
  nics: [{ name: 'eth0', mac: '00:11:22:33:44:55', addresses: ['10.0.0.5/24'] }],
  driverVersion: '570.133.20',
  cudaVersion: '12.8',
  gpus: gpus.map((g, index) => ({ index, uuid: g.uuid, name: 'NVIDIA H100 80GB HBM3', serial: g.serial, boardPartNumber: null, pciBusId: `00000000:1${index}:00.0`, vbiosVersion: null })),
  agentVersion,
});

/** A GPU's readings as its agent samples them: an H100 at work. */
export const gpuReadings = (uuid: string, temperatureC = 60): GpuMetricsWire => ({
  uuid,
  temperatureC,
  memoryTemperatureC: null,
  powerDrawW: 400,
  powerLimitW: 700,
  energyMj: null,
  smClockMHz: 1980,
  memoryClockMHz: 2619,
  gpuUtilizationPct: 50,
  memoryUtilizationPct: 30,
  framebufferUsedMiB: 1,
  framebufferTotalMiB: 81559,
  eccVolatileUncorrected: 0,
  eccAggregateUncorrected: 0,
  remappedRowsPending: false,
  pcieReplayCounter: 0,
  clockEventReasons: [],
});

export { landmarkAt as landmark, signedMeasurement as measurementOf, type TestLandmark } from '../../../test/support/measurements.js';

/** Singapore, Tokyo, Frankfurt and Mumbai: the landmarks that most server tests measure against. */
export const LANDMARKS = [landmarkAt('sin-1', 'SG', 1.3521, 103.8198), landmarkAt('tyo-1', 'JP', 35.6762, 139.6503), landmarkAt('fra-1', 'DE', 50.1109, 8.6821), landmarkAt('bom-1', 'IN', 19.076, 72.8777)];
/** Where tests put hosts: one in Singapore, and one in Shenzhen claiming to be there. */
export const SINGAPORE = { lat: 1.3, lon: 103.8 };
export const SHENZHEN = { lat: 22.54, lon: 114.06 };
/** Places a host answers from in property tests: Frankfurt is far from the landmarks' region, so answers from there and from Singapore within minutes conflict. */
export const HOST_PLACES = [SINGAPORE, SHENZHEN, { lat: 50.1, lon: 8.7 }] as const;

/** A test server with LANDMARKS registered, and the bearer header of an owner of org-a. */
export async function serverWithLandmarks(): Promise<{ s: TestServer; owner: { authorization: string } }> {
  const s = await testServer();
  const owner = await s.tokenFor('org-a', 'owner');
  await s.registerLandmarks(LANDMARKS.map((l) => l.info));
  return { s, owner };
}

/** Enrolls an agent through the real route with these GPUs; returns its node id and key. */
export async function enrollAgent(
  s: TestServer,
  headers: { authorization: string },
  agent: { readonly name: string; readonly claimedCountry?: string; readonly gpus: readonly { uuid: string; serial: string }[]; readonly zoneId?: string },
): Promise<{ nodeId: string; key: SigningKey }> {
  const created = await s.app.inject({ method: 'POST', url: '/api/v1/enrollment-tokens', headers, payload: agent.zoneId ? { zoneId: agent.zoneId } : {} });
  const { token } = created.json() as { token: string };
  const key = generateSigningKey();
  const body = signBody('enroll', { v: PROTOCOL_VERSION, token, hostKey: key.publicKey, name: agent.name, claimedCountry: agent.claimedCountry ?? null, inventory: hostInventory(agent.gpus), at: s.clock.now().toISOString() }, key.privateKey);
  const res = await s.app.inject({ method: 'POST', url: '/api/v1/agents/enroll', payload: body });
  if (res.statusCode !== 201) throw new Error(`enroll failed: ${res.statusCode} ${res.body}`);
  return { nodeId: (res.json() as { nodeId: string }).nodeId, key };
}
