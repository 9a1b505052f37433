/**
 * RTT models for *planning* only: what a landmark not yet built would measure to a host. Verdicts
 * on real measurements never use them; a predicted RTT only ever feeds a "what if" region.
 */
import { MEAN_EARTH_RADIUS, SPEED_OF_LIGHT_VACUUM } from '../constants.js';
import { km, ms, type Km, type Ms } from '../units.js';
import { angleBetween, fromLatLon, type LatLon } from '../vec3.js';

/** Great-circle distance on the mean Earth radius: good enough for a model, never used for a bound. */
export const modelDistanceKm = (a: LatLon, b: LatLon): Km =>
  km(angleBetween(fromLatLon(a.lat, a.lon), fromLatLon(b.lat, b.lon)) * MEAN_EARTH_RADIUS);

/** No RTT can beat light in vacuum there and back: 2d / c. */
export const VACUUM_MS_PER_KM = 2 / SPEED_OF_LIGHT_VACUUM;

/** rtt ≈ interceptMs + msPerKm · d, never below the vacuum round trip. */
export interface LinearRttModel {
  readonly interceptMs: number;
  readonly msPerKm: number;
}

export const predictLinear = (model: LinearRttModel, distance: Km): Ms =>
  ms(Math.max(VACUUM_MS_PER_KM * distance, model.interceptMs + model.msPerKm * distance));

/** A pair of places and the RTT measured between them. */
export interface RttSample {
  readonly distanceKm: number;
  readonly rttMs: number;
}

export interface GlobalRttModel extends LinearRttModel {
  readonly kind: 'global';
  /** The quantile the line was fitted at: the share of pairs meant to lie below it. */
  readonly quantile: number;
  readonly samples: number;
  /** Share of pairs actually below the line. */
  readonly belowShare: number;
  /** Median of |rtt − predicted| / rtt over the pairs. */
  readonly medianRelativeError: number;
  /** Same, over pairs closer than 1,000 km (what decides whether a nearby site flips a host). */
  readonly medianRelativeErrorUnder1000Km: number | null;
  /** Effective one-way speed of the slope, in km/ms (2 / msPerKm). */
  readonly effectiveKmPerMs: number;
}

const pinball = (residual: number, q: number): number => (residual >= 0 ? q * residual : (q - 1) * residual);

function median(xs: readonly number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Linear quantile regression of RTT on distance: the line that minimises the pinball loss at
 * quantile q, slope no faster than light in vacuum, intercept at least 0. Solved exactly: the
 * optimum of this two-variable linear programme passes through two samples (or one sample with
 * a bound active), so every such line is tried.
 */
export function fitQuantileLine(samples: readonly RttSample[], q: number): LinearRttModel {
  if (samples.length === 0) throw new Error('no samples to fit');
  const loss = (m: LinearRttModel): number => samples.reduce((s, p) => s + pinball(p.rttMs - m.interceptMs - m.msPerKm * p.distanceKm, q), 0);
  const candidates: LinearRttModel[] = [];
  const clamp = (interceptMs: number, msPerKm: number): void => {
    if (msPerKm >= VACUUM_MS_PER_KM && interceptMs >= 0) candidates.push({ interceptMs, msPerKm });
  };
  // Lines pinned at the bounds: slope = vacuum through each sample, intercept = 0 through each.
  for (const p of samples) {
    clamp(p.rttMs - VACUUM_MS_PER_KM * p.distanceKm, VACUUM_MS_PER_KM);
    if (p.distanceKm > 0) clamp(0, p.rttMs / p.distanceKm);
  }
  // Lines through two samples; thinned for large inputs (the loss is flat near the optimum).
  const stride = Math.max(1, Math.ceil(samples.length / 300));
  const pts = samples.filter((_, i) => i % stride === 0);
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      const dd = pts[j]!.distanceKm - pts[i]!.distanceKm;
      if (Math.abs(dd) < 1e-9) continue;
      const slope = (pts[j]!.rttMs - pts[i]!.rttMs) / dd;
      clamp(pts[i]!.rttMs - slope * pts[i]!.distanceKm, slope);
    }
  }
  candidates.push({ interceptMs: 0, msPerKm: VACUUM_MS_PER_KM });
  let best = candidates[0]!;
  let bestLoss = loss(best);
  for (const c of candidates) {
    const l = loss(c);
    if (l < bestLoss) [best, bestLoss] = [c, l];
  }
  return best;
}

export const DEFAULT_MODEL_QUANTILE = 0.1;

/** Fits the global model on landmark-to-landmark RTTs, and says how well it fits. */
export function fitGlobalModel(samples: readonly RttSample[], quantile = DEFAULT_MODEL_QUANTILE): GlobalRttModel {
  if (!(quantile > 0 && quantile < 1)) throw new Error(`quantile must be between 0 and 1, got ${quantile}`);
  const line = fitQuantileLine(samples, quantile);
  const rel = (p: RttSample): number => Math.abs(p.rttMs - predictLinear(line, km(p.distanceKm))) / Math.max(p.rttMs, 1e-3);
  const near = samples.filter((p) => p.distanceKm < 1000);
  return {
    kind: 'global',
    ...line,
    quantile,
    samples: samples.length,
    belowShare: samples.filter((p) => p.rttMs < predictLinear(line, km(p.distanceKm))).length / samples.length,
    medianRelativeError: median(samples.map(rel)),
    medianRelativeErrorUnder1000Km: near.length === 0 ? null : median(near.map(rel)),
    effectiveKmPerMs: 2 / line.msPerKm,
  };
}

/**
 * A host's own model: how fast it could plausibly be reached from a new site, fitted from the RTTs
 * it measured to the existing landmarks against the distances from its listed position. Two lower
 * envelopes, and the prediction is the lower of the two (what the host could reach, not its
 * average):
 * - `line`: the line under every measured RTT that hugs the nearest landmarks; its intercept is
 *   the host's access delay (plus the best landmark's), its slope the host's path inflation;
 * - `ratio`: the global curve scaled by the host's best ratio to it, which carries the global
 *   model's short-distance shape to hosts whose nearest landmarks are far away.
 */
export interface HostRttModel {
  readonly kind: 'host';
  readonly line: LinearRttModel;
  /** Smallest measured RTT over the global model's prediction for that distance. */
  readonly ratio: number;
  readonly global: LinearRttModel;
  /** Measured RTTs the model was fitted on. */
  readonly samples: number;
  /** The line's slope over the fibre round trip (2d / ⅔c): how much longer than straight fibre its paths run. */
  readonly inflation: number;
  /** Distance to the nearest landmark it measured, km, and the RTT there, ms. */
  readonly nearestKm: number;
  readonly nearestRttMs: number;
}

/** Samples at short distances count this much more than far ones (weight 1 / (d + this)). */
const ENVELOPE_NEAR_KM = 500;

/**
 * The lower envelope of (distance, RTT) samples: of all lines below every sample (slope at least
 * the vacuum round trip, intercept at least 0), the one closest to the samples with weights
 * 1 / (d + 500 km), so that the nearest landmarks set it. A linear programme in two variables: its
 * optimum lies on a line through two samples or through one sample with a bound active.
 */
export function lowerEnvelope(samples: readonly RttSample[]): LinearRttModel {
  const feasible = (a: number, b: number): boolean =>
    b >= VACUUM_MS_PER_KM - 1e-15 && a >= -1e-12 && samples.every((p) => a + b * p.distanceKm <= p.rttMs + 1e-9);
  const cost = (a: number, b: number): number => samples.reduce((s, p) => s + (p.rttMs - a - b * p.distanceKm) / (p.distanceKm + ENVELOPE_NEAR_KM), 0);
  let best: LinearRttModel = { interceptMs: 0, msPerKm: VACUUM_MS_PER_KM };
  let bestCost = feasible(0, VACUUM_MS_PER_KM) ? cost(0, VACUUM_MS_PER_KM) : Infinity;
  const consider = (a: number, b: number): void => {
    if (!feasible(a, b)) return;
    const c = cost(a, b);
    if (c < bestCost) [best, bestCost] = [{ interceptMs: Math.max(0, a), msPerKm: Math.max(VACUUM_MS_PER_KM, b) }, c];
  };
  for (let i = 0; i < samples.length; i++) {
    const p = samples[i]!;
    consider(p.rttMs - VACUUM_MS_PER_KM * p.distanceKm, VACUUM_MS_PER_KM);
    if (p.distanceKm > 0) consider(0, p.rttMs / p.distanceKm);
    for (let j = i + 1; j < samples.length; j++) {
      const r = samples[j]!;
      const dd = r.distanceKm - p.distanceKm;
      if (Math.abs(dd) < 1e-9) continue;
      const b = (r.rttMs - p.rttMs) / dd;
      consider(p.rttMs - b * p.distanceKm, b);
    }
  }
  return best;
}

const FIBER_MS_PER_KM = 2 / ((SPEED_OF_LIGHT_VACUUM * 2) / 3);

export function fitHostModel(samples: readonly RttSample[], global: LinearRttModel): HostRttModel {
  if (samples.length === 0) throw new Error('a host model needs at least one measured RTT');
  const line = lowerEnvelope(samples);
  const ratio = Math.min(...samples.map((p) => p.rttMs / predictLinear(global, km(p.distanceKm))));
  const nearest = samples.reduce((x, y) => (y.distanceKm < x.distanceKm ? y : x));
  return {
    kind: 'host',
    line,
    ratio,
    global: { interceptMs: global.interceptMs, msPerKm: global.msPerKm },
    samples: samples.length,
    inflation: line.msPerKm / FIBER_MS_PER_KM,
    nearestKm: nearest.distanceKm,
    nearestRttMs: nearest.rttMs,
  };
}

/** What a landmark `distance` km away would plausibly measure to the host. */
export const predictHost = (model: HostRttModel, distance: Km): Ms =>
  ms(Math.max(VACUUM_MS_PER_KM * distance, Math.min(predictLinear(model.line, distance), predictLinear(model.global, distance) * model.ratio)));

/**
 * The global model fitted (quantile 0.1) on the 990 landmark-to-landmark RTTs of the WonderProxy
 * data set of 2020-07-19 (45 landmarks in large data-centre cities), for runs given no RTTs of
 * their own to fit on. `test/geo-plan-wonderproxy.test.ts` refits it from the data.
 */
export const WONDERPROXY_GLOBAL_MODEL: GlobalRttModel = {
  kind: 'global',
  interceptMs: 3.969687188681501,
  msPerKm: 0.01429919543708868,
  quantile: 0.1,
  samples: 990,
  belowShare: 0.1,
  medianRelativeError: 0.25218459521638337,
  medianRelativeErrorUnder1000Km: 0.28524137585151843,
  effectiveKmPerMs: 139.8680092736183,
};
