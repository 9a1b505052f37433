/**
 * The planner's validation on real data: remove r landmarks, offer them back as candidates, and
 * score the planner's choice with the real RTTs from those sites against k random sites and a
 * greedy oracle that picks with the real RTTs. Shared by the test and `npm run bench:geo`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_BORDER_MARGIN,
  DEFAULT_RESTRICTED,
  degrees,
  fitGlobalModel,
  fitHostModel,
  modelDistanceKm,
  ms,
  planSites,
  predictHost,
  predictLinear,
  siteScorer,
  type PlanHost,
  type PlanSite,
  type RttBound,
  type RttOracle,
  type RttSample,
  type World,
} from '@locus/geo';
import { parseLandmarkRtts } from '../../apps/cli/src/geo/inputs.js';
import type { WonderProxy } from './wonderproxy.js';
import { seededRandom } from './seeded-random.js';

/** The seeded generator of every draw, so that each can be replayed. */
export const seeded = seededRandom;

export function drawWithout<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = items.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

export interface ValidationSettings {
  readonly removed: number;
  readonly draws: number;
  readonly randomDraws: number;
  readonly ks: readonly number[];
  readonly seed: number;
}

export const VALIDATION: ValidationSettings = { removed: 15, draws: 10, randomDraws: 20, ks: [5, 10], seed: 12 };

export interface DrawScore {
  /** Hosts excluded with the 30 remaining landmarks (real RTTs). */
  readonly before: number;
  /** Per k: hosts excluded after adding the sites each method chose (real RTTs). */
  readonly withRtts: readonly number[];
  readonly globalOnly: readonly number[];
  readonly oracle: readonly number[];
  readonly randomMean: readonly number[];
  readonly randomSd: readonly number[];
}

export interface ValidationResult {
  readonly settings: ValidationSettings;
  readonly hosts: number;
  readonly draws: readonly DrawScore[];
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
};
const count = (xs: readonly boolean[]): number => xs.filter(Boolean).length;

/** Real landmark-to-landmark RTTs, as the global model's samples, between the given landmarks only. */
export function landmarkSamples(dir: string, wp: WonderProxy, keep: ReadonlySet<string>): RttSample[] {
  const pairs = parseLandmarkRtts('landmark-rtts.csv', readFileSync(join(dir, 'landmark-rtts.csv'), 'utf8'), wp.landmarks, 'landmarks.csv');
  return pairs
    .filter((p) => keep.has(p.a) && keep.has(p.b))
    .map((p) => ({ distanceKm: modelDistanceKm(wp.landmarks.get(p.a)!, wp.landmarks.get(p.b)!), rttMs: p.rtt }));
}

export function runValidation(dir: string, wp: WonderProxy, world: World, settings: ValidationSettings = VALIDATION): ValidationResult {
  const restricted = new Set(DEFAULT_RESTRICTED);
  const verify = { speed: 'vacuum' as const, restricted, marginKm: DEFAULT_BORDER_MARGIN };
  const free = wp.hosts.filter((h) => !restricted.has(h.country)).map((h) => ({ ...h, lat: degrees(h.lat), lon: degrees(h.lon) }));
  const ids = [...wp.landmarks.keys()];
  const random = seeded(settings.seed);
  const kMax = Math.max(...settings.ks);
  const draws: DrawScore[] = [];
  for (let d = 0; d < settings.draws; d++) {
    const removed = drawWithout(ids, settings.removed, random);
    const gone = new Set(removed);
    const kept = ids.filter((id) => !gone.has(id));
    const sites: PlanSite[] = removed.map((id) => wp.landmarks.get(id)!);
    const realBounds = (rtts: ReadonlyMap<string, number>): RttBound[] =>
      kept.filter((id) => rtts.has(id)).map((id) => ({ ...wp.landmarks.get(id)!, rtt: ms(rtts.get(id)!) }));
    const hosts: PlanHost[] = free.map((h) => ({ id: h.id, lat: h.lat, lon: h.lon, bounds: realBounds(h.rtts) }));
    // A pair with no measurement bounds nothing.
    const real: RttOracle = (h, s) => ms(free[h]!.rtts.get(removed[s]!) ?? Infinity);
    const global = fitGlobalModel(landmarkSamples(dir, wp, new Set(kept)));
    const hostModels = free.map((h, i) => fitHostModel(hosts[i]!.bounds.map((b) => ({ distanceKm: modelDistanceKm(h, b), rttMs: b.rtt })), global));
    const withRtts = planSites(world, hosts, sites, (h, s) => predictHost(hostModels[h]!, modelDistanceKm(free[h]!, sites[s]!)), { ...verify, k: kMax });
    const modelHosts: PlanHost[] = free.map((h) => ({
      id: h.id,
      lat: h.lat,
      lon: h.lon,
      bounds: kept.map((id) => ({ ...wp.landmarks.get(id)!, rtt: predictLinear(global, modelDistanceKm(h, wp.landmarks.get(id)!)) })),
    }));
    const globalOnly = planSites(world, modelHosts, sites, (h, s) => predictLinear(global, modelDistanceKm(free[h]!, sites[s]!)), { ...verify, k: kMax });
    const oracle = planSites(world, hosts, sites, real, { ...verify, k: kMax });
    const score = siteScorer(world, hosts, sites, real, verify);
    const prefix = (picks: readonly { site: number }[], k: number): number[] => picks.slice(0, k).map((p) => p.site);
    const randoms = settings.ks.map((k) =>
      Array.from({ length: settings.randomDraws }, () => count(score(drawWithout(sites.map((_, i) => i), k, random)))),
    );
    draws.push({
      before: count(score([])),
      withRtts: settings.ks.map((k) => count(score(prefix(withRtts.picks, k)))),
      globalOnly: settings.ks.map((k) => count(score(prefix(globalOnly.picks, k)))),
      oracle: settings.ks.map((k) => count(score(prefix(oracle.picks, k)))),
      randomMean: randoms.map(mean),
      randomSd: randoms.map(sd),
    });
  }
  return { settings, hosts: free.length, draws };
}

export interface ValidationSummary {
  readonly k: number;
  readonly before: number;
  readonly withRtts: number;
  readonly globalOnly: number;
  readonly oracle: number;
  readonly randomMean: number;
  readonly randomSd: number;
}

/** Figures averaged over the removal draws, one row per k. */
export function summarise(result: ValidationResult): ValidationSummary[] {
  const avg = (f: (d: DrawScore) => number): number => mean(result.draws.map(f));
  return result.settings.ks.map((k, i) => ({
    k,
    before: avg((d) => d.before),
    withRtts: avg((d) => d.withRtts[i]!),
    globalOnly: avg((d) => d.globalOnly[i]!),
    oracle: avg((d) => d.oracle[i]!),
    randomMean: avg((d) => d.randomMean[i]!),
    randomSd: avg((d) => d.randomSd[i]!),
  }));
}

export function formatSummary(result: ValidationResult): string {
  const f = (x: number): string => x.toFixed(1).padStart(6);
  const rows = summarise(result).map((s) => `k=${String(s.k).padEnd(3)} ${f(s.before)} ${f(s.randomMean)} ${f(s.randomSd)} ${f(s.withRtts)} ${f(s.globalOnly)} ${f(s.oracle)}`);
  return [
    `planner validation: ${result.settings.draws} removals of ${result.settings.removed} of 45 landmarks, ${result.hosts} hosts outside restricted countries, ${result.settings.randomDraws} random draws each; hosts excluded (real RTTs), averaged:`,
    '       before   rand     sd  --rtts global oracle',
    ...rows,
  ].join('\n');
}
