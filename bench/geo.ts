/**
 * Benchmark of the geo engine on the WonderProxy dev split: engine time per target, with a
 * conservative 0.25° grid classifier timed in the same run as the reference, and the
 * precision figures (median radius and error of the enclosing-cap centre vs the centroid).
 *
 * Then the planner and the coverage map: the planner's validation on the dev split (the same
 * figures as test/geo-plan-wonderproxy.test.ts, with as many removal draws as asked), a k = 10
 * plan over 200 candidate sites and 1,000 synthetic hosts with measured RTTs, and coverage of the
 * whole world at 0.5°, each against a naive reference estimated from one verdict's time.
 *
 *   npm run bench:geo [-- --repeat N] [--validation-draws N] [--quick] [--fleet-gpus N]
 *
 * --quick: 3 repeats and 2 validation draws. --fleet-gpus N times one verification pass over
 * N/8 hosts (the dev hosts over and over) instead, for the fleet-size table of `npm run bench`.
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_BORDER_MARGIN,
  DEFAULT_RESTRICTED,
  MEAN_EARTH_RADIUS,
  angleBetween,
  capAngleForDistance,
  farthestAngle,
  fromLatLon,
  maxDistanceKm,
  regionCentroid,
  regionFromRtts,
  verifyTarget,
  degrees,
  dot,
  toLatLon,
  type RttBound,
  type SpeedModel,
  type World,
} from '@locus/geo';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { NO_UNIT, rasterUnitAt } from '../packages/geo/src/world/raster.js';
import { sharedData } from '../test/support/shared-data.js';
import { figure, hostsForGpus, printFigures, type FigureValue } from './figures.js';
import { boundsOf, loadWonderProxy } from '../test/support/wonderproxy.js';
import { benchPlanner } from './geo-plan.js';

const { values } = parseArgs({ options: { repeat: { type: 'string' }, 'validation-draws': { type: 'string' }, quick: { type: 'boolean', default: false }, 'fleet-gpus': { type: 'string' } } });
const repeat = Math.max(1, Number(values.repeat ?? (values.quick ? 3 : 20)) || 20);
const validationDraws = Math.max(1, Number(values['validation-draws'] ?? (values.quick ? 2 : 10)) || 10);
const fleetHosts = hostsForGpus(values['fleet-gpus'], 8);
const dir = sharedData('wonderproxy');
if (!dir) {
  console.error('bench:geo needs ../shared/data/wonderproxy beside the checkout');
  process.exit(2);
}

const quantile = (xs: number[], q: number): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The reference: classify 0.25° cells whose centre lies within every cap grown by half a
 * cell diagonal, and read each cell's country from the raster. What a simple conservative
 * grid engine does; timed only.
 */
function gridReference(world: World, bounds: readonly RttBound[], speed: SpeedModel): number {
  const step = 0.25;
  const caps = bounds
    .map((b) => ({ c: fromLatLon(b.lat, b.lon), r: capAngleForDistance(b.lat, maxDistanceKm(b.rtt, speed)) + (step * Math.SQRT2 * Math.PI) / 360 }))
    .sort((a, b) => a.r - b.r)
    .map((k) => ({ ...k, cos: Math.cos(Math.min(Math.PI, k.r)) }));
  const smallest = caps[0]!;
  const centre = toLatLon(smallest.c);
  const reach = (smallest.r * 180) / Math.PI;
  const seen = new Set<number>();
  for (let lat = Math.max(-90, centre.lat - reach); lat <= Math.min(90, centre.lat + reach); lat += step) {
    const span = Math.abs(lat) + reach >= 89 ? 180 : Math.min(180, reach / Math.cos((lat * Math.PI) / 180));
    for (let lon = centre.lon - span; lon <= centre.lon + span; lon += step) {
      const p = fromLatLon(degrees(lat), degrees(lon));
      if (!caps.every((k) => dot(k.c, p) >= k.cos)) continue;
      const u = rasterUnitAt(world.raster, lat, ((lon + 540) % 360) - 180);
      if (u !== NO_UNIT) seen.add(u);
    }
  }
  return seen.size;
}

const buildStart = performance.now();
const world = naturalEarthWorld();
const buildMs = performance.now() - buildStart;
const wp = loadWonderProxy(dir);
const restricted = new Set(DEFAULT_RESTRICTED);
const free = wp.hosts.filter((h) => !restricted.has(h.country));
const figures: Record<string, FigureValue> = {};
if (fleetHosts !== undefined) {
  // One pass at the default (vacuum) settings over the fleet, every host a dev host's real RTTs.
  const targets = Array.from({ length: fleetHosts }, (_, i) => wp.hosts[i % wp.hosts.length]!).map((h) => ({ h, bounds: boundsOf(wp, h.rtts) }));
  const options = { speed: 'vacuum' as const, restricted, marginKm: DEFAULT_BORDER_MARGIN };
  for (const { h, bounds } of targets.slice(0, wp.hosts.length)) verifyTarget(world, bounds, h.country, options); // warm up
  const t = performance.now();
  for (const { h, bounds } of targets) verifyTarget(world, bounds, h.country, options);
  const totalMs = performance.now() - t;
  console.log(`verification of ${fleetHosts} hosts (${values['fleet-gpus']} GPUs): ${(totalMs / 1000).toFixed(2)} s, ${(totalMs / fleetHosts).toFixed(3)} ms per host`);
  printFigures({ hosts: fleetHosts, verifyAllS: figure(totalMs / 1000, 's'), perHostMs: figure(totalMs / fleetHosts, 'ms') });
  process.exit(0);
}

console.log(`geo engine benchmark: ${wp.hosts.length} dev hosts x ${wp.landmarks.size} landmarks, ${repeat} rounds; border index built in ${buildMs.toFixed(0)} ms`);
console.log('');
console.log('speed   engine mean  p50      p99      grid ref mean  ratio   excluded       verified     radius median, mean (centroid)  error median (centroid)');
for (const speed of ['vacuum', 'fiber'] as const) {
  const options = { speed, restricted, marginKm: DEFAULT_BORDER_MARGIN };
  const all = wp.hosts.map((h) => ({ h, bounds: boundsOf(wp, h.rtts) }));
  for (const { h, bounds } of all) verifyTarget(world, bounds, h.country, options); // warm up
  const times: number[] = [];
  const verdicts = all.map(({ h, bounds }) => verifyTarget(world, bounds, h.country, options));
  for (let r = 0; r < repeat; r++) {
    for (const { h, bounds } of all) {
      const t = performance.now();
      verifyTarget(world, bounds, h.country, options);
      times.push(performance.now() - t);
    }
  }
  const gridTimes: number[] = [];
  for (const { bounds } of all) {
    const t = performance.now();
    gridReference(world, bounds, speed);
    gridTimes.push(performance.now() - t);
  }
  const excluded = free.filter((h) => verdicts[wp.hosts.indexOf(h)]!.restricted === 'excluded').length;
  const verified = verdicts.filter((v) => v.claim === 'verified').length;
  const radii: number[] = [];
  const errors: number[] = [];
  const centroidRadii: number[] = [];
  const centroidErrors: number[] = [];
  all.forEach(({ h, bounds }, i) => {
    const v = verdicts[i]!;
    const truth = fromLatLon(degrees(h.lat), degrees(h.lon));
    radii.push(v.radiusKm!);
    errors.push(angleBetween(fromLatLon(v.estimate!.lat, v.estimate!.lon), truth) * MEAN_EARTH_RADIUS);
    const region = regionFromRtts(bounds, speed);
    const centroid = regionCentroid(region)!;
    centroidRadii.push(farthestAngle(region, centroid) * MEAN_EARTH_RADIUS);
    centroidErrors.push(angleBetween(centroid, truth) * MEAN_EARTH_RADIUS);
  });
  figures[speed] = {
    engineMeanMs: figure(mean(times), 'ms', { label: '0.25° grid classifier', value: mean(gridTimes) }),
    engineP50Ms: figure(quantile(times, 0.5), 'ms'),
    engineP99Ms: figure(quantile(times, 0.99), 'ms'),
    excludedShare: figure(excluded / free.length, 'of unrestricted hosts'),
    verifiedShare: figure(verified / wp.hosts.length, 'of hosts'),
    radiusMedianKm: figure(quantile(radii, 0.5), 'km', { label: 'centroid of the region', value: quantile(centroidRadii, 0.5) }),
    errorMedianKm: figure(quantile(errors, 0.5), 'km', { label: 'centroid of the region', value: quantile(centroidErrors, 0.5) }),
  };
  const ms = (x: number): string => `${x.toFixed(3)} ms`.padEnd(9);
  console.log(
    [
      speed.padEnd(7),
      ms(mean(times)).padEnd(12),
      ms(quantile(times, 0.5)),
      ms(quantile(times, 0.99)),
      ms(mean(gridTimes)).padEnd(14),
      `${(mean(times) / mean(gridTimes)).toFixed(3)}`.padEnd(7),
      `${excluded}/${free.length} ${((100 * excluded) / free.length).toFixed(1)}%`.padEnd(14),
      `${verified}/${wp.hosts.length} ${((100 * verified) / wp.hosts.length).toFixed(1)}%`.padEnd(12),
      `${quantile(radii, 0.5).toFixed(0)}, ${mean(radii).toFixed(0)} km (${quantile(centroidRadii, 0.5).toFixed(0)}, ${mean(centroidRadii).toFixed(0)} km)`.padEnd(31),
      `${quantile(errors, 0.5).toFixed(0)} km (${quantile(centroidErrors, 0.5).toFixed(0)} km)`,
    ].join(' '),
  );
}
console.log('');
console.log('engine: the exact region and every verdict field per target; grid ref: a conservative 0.25° grid, timed in the same run.');
console.log('radius: farthest point of the region from the estimate; error: estimate to the published location.');

console.log('');
const planner = benchPlanner(dir, world, wp, validationDraws);
printFigures({ hosts: wp.hosts.length, repeat, borderIndexBuildMs: figure(buildMs, 'ms'), ...figures, planner });
