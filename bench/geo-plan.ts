/**
 * Planner and coverage figures for `npm run bench:geo`: the validation on real data, a large plan
 * and a whole-world coverage map, timed against a naive reference from the same run.
 */
import {
  DEFAULT_BORDER_MARGIN,
  DEFAULT_RESTRICTED,
  WONDERPROXY_GLOBAL_MODEL,
  coverageGrid,
  degrees,
  ms,
  syntheticRtt,
  verifyTarget,
  type World,
} from '@locus/geo';
import { NO_UNIT, rasterUnitAt } from '../packages/geo/src/world/raster.js';
import type { Landmark, PlaceToCover, Target } from '../apps/cli/src/geo/inputs.js';
import { planLandmarks } from '../apps/cli/src/geo/plan.js';
import { formatSummary, runValidation, seeded, summarise, VALIDATION } from '../test/support/plan-validation.js';
import { figure, type Figures } from './figures.js';
import type { WonderProxy } from '../test/support/wonderproxy.js';

const restricted = new Set(DEFAULT_RESTRICTED);

/** Random places on land outside restricted countries (by the border raster), seeded. */
function landPlaces(world: World, count: number, random: () => number): { lat: number; lon: number }[] {
  const out: { lat: number; lon: number }[] = [];
  for (let tries = 0; out.length < count && tries < count * 1000; tries++) {
    const lat = (Math.asin(2 * random() - 1) * 180) / Math.PI;
    const lon = -180 + 360 * random();
    if (lat < -60) continue;
    const u = rasterUnitAt(world.raster, lat, lon);
    if (u !== NO_UNIT && !world.units[u]!.codes.some((c) => restricted.has(c))) out.push({ lat, lon });
  }
  return out;
}

function timeVerdict(world: World, wp: WonderProxy): number {
  const bounds = wp.hosts.map((h) => [...h.rtts].map(([id, rtt]) => ({ ...wp.landmarks.get(id)!, rtt: ms(rtt) })));
  const options = { speed: 'vacuum' as const, restricted, marginKm: DEFAULT_BORDER_MARGIN };
  for (const b of bounds) verifyTarget(world, b, null, options);
  const t = performance.now();
  for (const b of bounds) verifyTarget(world, b, null, options);
  return (performance.now() - t) / bounds.length;
}

/** Prints the planner's and the coverage map's figures, and returns them for the bench's last line. */
export function benchPlanner(dir: string, world: World, wp: WonderProxy, draws: number): Figures {
  let t = performance.now();
  const validation = runValidation(dir, wp, world, { ...VALIDATION, draws });
  const validationS = (performance.now() - t) / 1000;
  console.log(formatSummary(validation));
  console.log(`(--rtts: per-host models; global: global model alone; oracle: greedy with the real RTTs; ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  console.log('');

  const verdictMs = timeVerdict(world, wp);
  const random = seeded(2026);
  const landmarks = new Map<string, Landmark>([...wp.landmarks]);
  const candidates = new Map<string, Landmark>(
    landPlaces(world, 200, random).map((p, i) => [`c${i}`, { id: `c${i}`, name: `site ${i}`, country: 'US', lat: degrees(p.lat), lon: degrees(p.lon) }]),
  );
  const hostPlaces = landPlaces(world, 1000, random);
  const hosts = new Map<string, PlaceToCover>(hostPlaces.map((p, i) => [`h${i}`, { id: `h${i}`, lat: degrees(p.lat), lon: degrees(p.lon), country: null }]));
  // Each host gets its own path stretch and access delay, as real hosts do.
  const rtts: Target[] = hostPlaces.map((p, i) => {
    const path = { stretch: 1.2 + 1.3 * random(), overheadMs: ms(0.3 + 6 * random()) };
    const here = { lat: degrees(p.lat), lon: degrees(p.lon) };
    return { id: `h${i}`, rtts: new Map([...landmarks].map(([id, l]) => [id, syntheticRtt(l, here, path)])) };
  });
  t = performance.now();
  const plan = planLandmarks(world, { landmarks, candidates, hosts, rtts, landmarkRtts: undefined, quantile: undefined }, { k: 10, speed: 'vacuum', restricted: DEFAULT_RESTRICTED, marginKm: DEFAULT_BORDER_MARGIN });
  const planMs = performance.now() - t;
  const naivePlan = verdictMs * hosts.size * candidates.size * plan.chosen.length;
  console.log(`plan: k = 10 over ${candidates.size} candidates and ${hosts.size} synthetic hosts with --rtts: ${(planMs / 1000).toFixed(2)} s, ${plan.model.verdictCalls as number} verdicts; ${plan.chosen.length} sites, predicted excluded ${plan.predictedExcluded.before} → ${plan.predictedExcluded.after}, ${plan.uncovered.length} reasons`);
  console.log(`      naive greedy (a verdict per host, candidate and round, ${verdictMs.toFixed(3)} ms each on the dev split): ~${(naivePlan / 1000).toFixed(0)} s; ratio ${(planMs / naivePlan).toFixed(4)}`);

  t = performance.now();
  const grid = coverageGrid(world, [...wp.landmarks.values()], { stepDeg: 0.5, model: WONDERPROXY_GLOBAL_MODEL, speed: 'vacuum', restricted, marginKm: DEFAULT_BORDER_MARGIN });
  const coverageMs = performance.now() - t;
  const landCells = [...grid.cells].filter((c) => c !== 0).length;
  const naiveCoverage = verdictMs * landCells;
  console.log(`coverage: whole world at 0.5° (${landCells} land cells), 45 landmarks: ${(coverageMs / 1000).toFixed(2)} s, ${grid.verdictCalls} verdicts; covered ${(100 * grid.coveredShareOfUnrestricted).toFixed(1)}% of land outside restricted countries, ${(100 * grid.coveredShareOfLand).toFixed(1)}% of all land`);
  console.log(`          naive (a verdict per land cell at the dev split's mean): ~${(naiveCoverage / 1000).toFixed(0)} s; ratio ${(coverageMs / naiveCoverage).toFixed(3)}`);
  const byK = Object.fromEntries(
    summarise(validation).map((r) => [
      `k${r.k}`,
      {
        hostsExcludedWithRtts: figure(r.withRtts, 'hosts', { label: 'random sites, mean', value: r.randomMean }),
        hostsExcludedGlobalModel: figure(r.globalOnly, 'hosts', { label: 'random sites, mean', value: r.randomMean }),
        hostsExcludedOracle: figure(r.oracle, 'hosts'),
        randomSd: r.randomSd,
        before: r.before,
      },
    ]),
  );
  return {
    validation: { draws, hosts: validation.hosts, wallS: figure(validationS, 's'), ...byK },
    planK10S: figure(planMs / 1000, 's', { label: 'naive greedy, estimated', value: naivePlan / 1000 }),
    coverageWorld05DegS: figure(coverageMs / 1000, 's', { label: 'a verdict per land cell, estimated', value: naiveCoverage / 1000 }),
    coveredShareOfUnrestrictedLand: figure(grid.coveredShareOfUnrestricted, 'of land outside restricted countries'),
  };
}
