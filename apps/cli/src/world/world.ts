import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlreadyEnrolledError, enrollAgent, loadOrCreateKey, loadSimulator, parseFault, parseFleetSpec, readEnrollment, saveSimulator, startAgent, writeAtomically, type Fault, type RunningAgent } from '@locus/agent';
import type { LatLon, World } from '@locus/geo';
import { KEY_FILE_NAME, readKey, startDelivery, startLandmarkServer, writeNewKey, type Delivery, type LandmarkServer } from '@locus/landmark';
import { linkDelayBetween, startDelayProxy, type DelayProxy } from '@locus/netem';
import { makeDirectory, type LandmarkInfo } from '@locus/protocol';
import { startResponder, type Responder } from '@locus/responder';
import { checkListenable, startServer, type RunningServer } from '@locus/server';
import { lockFile } from '@locus/storage/sqlite-file';
import { WORLD_HOSTS, WORLD_LANDMARKS, type WorldHost } from './places.js';
import { decoderWorker, sqliteWriterWorker } from '../paths.js';

export interface LiveWorldOptions {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly adminToken: string | undefined;
  readonly world: World;
  readonly log: (line: string) => void;
  /** How often landmarks measure each host (the demo measures often, so verdicts come quickly). */
  readonly measureEveryMs?: number;
  readonly agentIntervalMs?: number;
  readonly dashboardDir?: string | undefined;
  /** The server's log (Fastify's logger options); none by default. */
  readonly logger?: object | undefined;
}

export interface LiveWorld {
  readonly server: RunningServer;
  /** The owner token: LOCUS_ADMIN_TOKEN, or the one the data dir keeps. */
  readonly adminToken: string;
  readonly hosts: readonly { readonly host: WorldHost; readonly nodeId: string }[];
  stop(): Promise<void>;
}

/**
 * A data dir that keeps no owner token (its server was first started with LOCUS_ADMIN_TOKEN, or
 * its token file was removed), started without LOCUS_ADMIN_TOKEN: nothing could be read or enrolled.
 */
export class WorldTokenError extends Error {}

/** Another `locus start` runs on the data dir (it holds WORLD_LOCK_FILE in it). */
export class WorldRunningError extends Error {}

/** The running world's claim on its data dir: a kernel record lock (lockFile), gone with its process. */
const WORLD_LOCK_FILE = 'world.lock';

/** The demo keeps the owner token it was given on first start, so that later starts can show it. */
const DEMO_TOKEN_FILE = 'admin-token';
function demoToken(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, DEMO_TOKEN_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A landmark's key, made on first start and kept in the data dir. */
function landmarkKey(dir: string) {
  try {
    return readKey(join(dir, KEY_FILE_NAME));
  } catch {
    return writeNewKey(dir, true).key;
  }
}

async function api(server: RunningServer, token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await server.app.inject({ method: method as 'GET', url: path, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
  if (res.statusCode >= 400) throw new Error(`${method} ${path}: HTTP ${res.statusCode} ${res.body}`);
  return res.json();
}

/**
 * Everything at once, in one process: the server on SQLite in the data dir, landmarks at real
 * places, and simulated GPU hosts that enroll, report and answer the landmarks through the real
 * protocol, each link delayed as the host's true geography implies (a smuggler also pads).
 */
export async function startLiveWorld(o: LiveWorldOptions): Promise<LiveWorld> {
  // A port in use is told before the data dir is made.
  await checkListenable(o.host, o.port);
  makeDirectory(o.dataDir);
  // One world per data dir: two would run the same agents (each holds its state dir) and landmarks twice.
  const lockPath = join(o.dataDir, WORLD_LOCK_FILE);
  const lock = lockFile(lockPath);
  if (!lock) throw new WorldRunningError(`another locus start runs on the data dir ${o.dataDir} (it holds ${lockPath})`);
  let server: RunningServer;
  try {
    server = await startServer({ host: o.host, port: o.port, dataDir: join(o.dataDir, 'server'), adminToken: o.adminToken ?? demoToken(o.dataDir), world: o.world, dashboardDir: o.dashboardDir, decoderWorker: decoderWorker(), sqliteWriterWorker: sqliteWriterWorker(), logger: o.logger ?? false });
  } catch (error) {
    lock.release();
    throw error;
  }
  const token = o.adminToken ?? demoToken(o.dataDir) ?? server.generatedToken;
  if (!o.adminToken && server.generatedToken) writeAtomically(join(o.dataDir, DEMO_TOKEN_FILE), `${server.generatedToken}\n`);
  if (token === undefined) {
    await server.close();
    lock.release();
    throw new WorldTokenError(`this data dir keeps no owner token of its own (${join(o.dataDir, DEMO_TOKEN_FILE)} is absent: its server was first started with LOCUS_ADMIN_TOKEN set, or the file was removed)`);
  }
  const landmarks: { info: LandmarkInfo; at: LatLon; server: LandmarkServer; delivery: Delivery }[] = [];
  const proxies: DelayProxy[] = [];
  const agents: RunningAgent[] = [];
  const copies: Responder[] = [];
  const stop = async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await Promise.all(copies.map((c) => c.close()));
    await Promise.all(proxies.map((p) => p.close()));
    await Promise.all(landmarks.map((l) => l.server.close()));
    landmarks.forEach((l) => l.delivery.close());
    await server.close();
    lock.release();
  };
  try {
    for (const l of WORLD_LANDMARKS) {
      const key = landmarkKey(join(o.dataDir, 'landmarks', l.id));
      const info: LandmarkInfo = { id: l.id, name: l.name, country: l.country, lat: l.at.lat, lon: l.at.lon, publicKey: key.publicKey };
      if (token) await api(server, token, 'POST', '/api/v1/landmarks', info);
      const delivery = startDelivery({ server: server.url, backoff: { initialMs: 200, maxMs: 5_000 } });
      const lm = await startLandmarkServer({ info, key: key.privateKey, config: { firstMeasureAfterMs: 500, measureEveryMs: o.measureEveryMs ?? 20_000 }, onMeasurement: (m) => delivery.enqueue(m) });
      landmarks.push({ info, at: l.at, server: lm, delivery });
    }
    const zoneIds = new Map<string, string>();
    if (token) {
      const existing = (await api(server, token, 'GET', '/api/v1/zones')) as { zones: { id: string; name: string }[] };
      for (const z of existing.zones) zoneIds.set(z.name, z.id);
      for (const host of WORLD_HOSTS) {
        if (zoneIds.has(host.zone)) continue;
        const created = (await api(server, token, 'POST', '/api/v1/zones', { name: host.zone, claimedCountry: host.claims })) as { id: string };
        zoneIds.set(host.zone, created.id);
      }
    }
    const hosts: { host: WorldHost; nodeId: string }[] = [];
    for (const host of WORLD_HOSTS) {
      const stateDir = join(o.dataDir, 'agents', host.name);
      const spec = parseFleetSpec(host.gpus);
      if ('error' in spec) throw new Error(spec.error);
      const { state, replaced } = loadSimulator(stateDir, host.gpus);
      if (readEnrollment(stateDir) === undefined || replaced) {
        const faults = (host.faults ?? []).map((f) => parseFault(f.split(' '), spec.gpus.length, new Date())).filter((f): f is Fault => !('error' in f));
        saveSimulator(stateDir, { ...state, faults });
      }
      let enrollment = readEnrollment(stateDir);
      if (!enrollment) {
        const { token: enrollToken } = (await api(server, token, 'POST', '/api/v1/enrollment-tokens', { zoneId: zoneIds.get(host.zone) })) as { token: string };
        try {
          enrollment = await enrollAgent({ server: server.url, token: enrollToken, stateDir, simulate: host.gpus, name: host.name, claimedCountry: host.claims, now: new Date() });
        } catch (error) {
          if (!(error instanceof AlreadyEnrolledError)) throw error;
          enrollment = error.enrollment;
        }
      }
      const linksFrom = async (place: LatLon, padMs: (id: string) => number) => {
        const urls: string[] = [];
        for (const l of landmarks) {
          const proxy = await startDelayProxy({ target: { host: '127.0.0.1', port: l.server.port }, link: { oneWayMs: linkDelayBetween(place, l.at).oneWayMs + padMs(l.info.id) / 2 } });
          proxies.push(proxy);
          urls.push(`ws://127.0.0.1:${proxy.port}/v1/timing`);
        }
        return urls;
      };
      const key = loadOrCreateKey(stateDir);
      const urls = await linksFrom(host.truth.at, host.padMs ?? (() => 0));
      // The copy answers with the same key from its own place: only the timing gives it away.
      if (host.copiedTo) for (const url of await linksFrom(host.copiedTo.at, () => 0)) copies.push(startResponder({ url, key }));
      // To this start's server, wherever an earlier start's listened (another --port).
      agents.push(await startAgent({ stateDir, enrollment: { ...enrollment, server: server.url }, key, simulate: host.gpus, intervalMs: o.agentIntervalMs ?? 5_000, landmarks: urls, log: (line) => {
          // Eight connections per host are routine; problems are worth a line.
          if (!line.startsWith('connected to landmark')) o.log(`${host.name}: ${line}`);
        },
      }));
      hosts.push({ host, nodeId: enrollment.nodeId });
    }
    return { server, adminToken: token, hosts, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
