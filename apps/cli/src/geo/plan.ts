import {
  fitGlobalModel,
  fitHostModel,
  modelDistanceKm,
  nearestLandFinder,
  planSites,
  predictHost,
  predictLinear,
  uncoveredReason,
  WONDERPROXY_GLOBAL_MODEL,
  type CountryCode,
  type GlobalRttModel,
  type HostRttModel,
  type Km,
  type PlanHost,
  type RttBound,
  type RttSample,
  type SpeedModel,
  type World,
} from '@locus/geo';
import type { Landmark, LandmarkPair, PlaceToCover, Target } from './inputs.js';
import { printableLines } from '../io.js';

export interface PlanRun {
  readonly k: number;
  readonly speed: SpeedModel;
  readonly restricted: readonly CountryCode[];
  readonly marginKm: Km;
}

export interface PlanInputs {
  readonly landmarks: ReadonlyMap<string, Landmark>;
  readonly candidates: ReadonlyMap<string, Landmark>;
  readonly hosts: ReadonlyMap<string, PlaceToCover>;
  /** The hosts' measured RTTs to the landmarks; undefined plans from the global model alone. */
  readonly rtts: readonly Target[] | undefined;
  /** Landmark-to-landmark RTTs to fit the global model on; undefined uses the built-in fit. */
  readonly landmarkRtts: readonly LandmarkPair[] | undefined;
  readonly quantile: number | undefined;
}

export interface PlanReport {
  readonly chosen: { id: string; name: string; predictedNewlyExcluded: string[]; gain: number; restrictedAreaRemovedKm2: number }[];
  readonly predictedExcluded: { before: number; after: number; hosts: number };
  readonly uncovered: { id: string; reason: string }[];
  readonly model: Record<string, unknown>;
}

/** The global model: fitted on the given landmark pairs, or the built-in WonderProxy fit. */
export function globalModelFor(landmarks: ReadonlyMap<string, Landmark>, pairs: readonly LandmarkPair[] | undefined, quantile: number | undefined): { model: GlobalRttModel; source: string } {
  if (!pairs) return { model: WONDERPROXY_GLOBAL_MODEL, source: 'built-in fit on the WonderProxy landmark-to-landmark RTTs of 2020-07-19 (990 pairs)' };
  const samples: RttSample[] = pairs.map((p) => ({ distanceKm: modelDistanceKm(landmarks.get(p.a)!, landmarks.get(p.b)!), rttMs: p.rtt }));
  return { model: fitGlobalModel(samples, quantile), source: `fitted on ${pairs.length} landmark-to-landmark RTTs` };
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const medianOf = (xs: readonly number[]): number | null => {
  if (xs.length === 0) return null;
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

/**
 * Plans which candidate sites to add. Each host starts from its actual region (its measured RTTs,
 * judged exactly as `geo verify` would) or, without RTTs, from the global model's predictions for
 * the existing landmarks; candidates are predicted with the host's own model or the global one.
 */
export function planLandmarks(world: World, inputs: PlanInputs, run: PlanRun): PlanReport {
  const { model: global, source } = globalModelFor(inputs.landmarks, inputs.landmarkRtts, inputs.quantile);
  const hosts = [...inputs.hosts.values()];
  const sites = [...inputs.candidates.values()];
  const landmarks = [...inputs.landmarks.values()];
  const measured = new Map((inputs.rtts ?? []).map((t) => [t.id, t.rtts]));
  const hostModels: (HostRttModel | undefined)[] = [];
  const planHosts: PlanHost[] = hosts.map((h) => {
    const rtts = measured.get(h.id);
    let bounds: RttBound[];
    if (rtts && rtts.size > 0) {
      bounds = [...rtts].map(([id, rtt]) => ({ lat: inputs.landmarks.get(id)!.lat, lon: inputs.landmarks.get(id)!.lon, rtt }));
      hostModels.push(fitHostModel(bounds.map((b) => ({ distanceKm: modelDistanceKm(h, b), rttMs: b.rtt })), global));
    } else {
      bounds = landmarks.map((l) => ({ lat: l.lat, lon: l.lon, rtt: predictLinear(global, modelDistanceKm(h, l)) }));
      hostModels.push(undefined);
    }
    return { id: h.id, lat: h.lat, lon: h.lon, bounds };
  });
  const predict = (h: number, d: Km) => (hostModels[h] ? predictHost(hostModels[h], d) : predictLinear(global, d));
  const restricted = new Set(run.restricted);
  const verify = { speed: run.speed, restricted, marginKm: run.marginKm };
  const plan = planSites(world, planHosts, sites, (h, s) => predict(h, modelDistanceKm(hosts[h]!, sites[s]!)), { ...verify, k: run.k });

  const chosen = new Set(plan.picks.map((p) => p.site));
  const nearestLand = nearestLandFinder(world);
  const uncovered = hosts.flatMap((h, i) => {
    if (plan.excludedAfter[i]) return [];
    const m = hostModels[i];
    const reason = uncoveredReason({
      host: h,
      verdict: plan.finalVerdicts[i]!,
      restricted,
      marginKm: run.marginKm,
      speed: run.speed,
      predict: (d) => predict(i, d),
      measured: m ? { inflation: m.inflation } : null,
      candidates: sites,
      chosen,
      k: run.k,
      nearestLand,
    });
    return [{ id: h.id, reason }];
  });
  const fitted = hostModels.filter((m): m is HostRttModel => m !== undefined);
  const count = (xs: readonly boolean[]): number => xs.filter(Boolean).length;
  return {
    chosen: plan.picks.map((p) => ({
      id: sites[p.site]!.id,
      name: sites[p.site]!.name,
      predictedNewlyExcluded: p.newlyExcluded.map((h) => hosts[h]!.id),
      gain: p.newlyExcluded.length,
      restrictedAreaRemovedKm2: Math.round(p.restrictedAreaRemovedKm2),
    })),
    predictedExcluded: { before: count(plan.excludedBefore), after: count(plan.excludedAfter), hosts: hosts.length },
    uncovered,
    model: {
      prediction: fitted.length > 0 ? 'per-host' : 'global',
      speed: run.speed,
      restricted: run.restricted,
      marginKm: run.marginKm,
      global: {
        source,
        quantile: global.quantile,
        interceptMs: round(global.interceptMs, 3),
        msPerKm: round(global.msPerKm, 6),
        effectiveKmPerMs: round(global.effectiveKmPerMs, 1),
        samples: global.samples,
        belowShare: round(global.belowShare, 3),
        medianRelativeError: round(global.medianRelativeError, 3),
        medianRelativeErrorUnder1000Km: global.medianRelativeErrorUnder1000Km === null ? null : round(global.medianRelativeErrorUnder1000Km, 3),
      },
      hosts: {
        perHostModels: fitted.length,
        globalOnly: hosts.length - fitted.length,
        medianAccessMs: fitted.length === 0 ? null : round(medianOf(fitted.map((m) => m.line.interceptMs))!, 2),
        medianInflation: fitted.length === 0 ? null : round(medianOf(fitted.map((m) => m.inflation))!, 2),
      },
      verdictCalls: plan.verdictCalls,
    },
  };
}

/** The plan for a person: picks in order, the before/after count, and each uncovered host's reason. */
export function formatPlanTable(report: PlanReport): string {
  const out: string[] = [];
  const { before, after, hosts } = report.predictedExcluded;
  out.push(`predicted restricted: excluded for ${before} of ${hosts} hosts now, ${after} with the ${report.chosen.length} site${report.chosen.length === 1 ? '' : 's'} below`, '');
  if (report.chosen.length === 0) out.push('no candidate site is predicted to change any host\'s region');
  report.chosen.forEach((c, i) => {
    const hostsText = c.predictedNewlyExcluded.length > 0 ? `: ${c.predictedNewlyExcluded.join(', ')}` : '';
    out.push(`${String(i + 1).padStart(2)}. ${c.id} ${c.name}  +${c.gain} excluded${hostsText}; removes ~${c.restrictedAreaRemovedKm2.toLocaleString('en-US')} km² of restricted area from regions`);
  });
  if (report.uncovered.length > 0) {
    out.push('', `uncovered (${report.uncovered.length}):`);
    for (const u of report.uncovered) out.push(`  ${u.id}: ${u.reason}`);
  }
  const m = report.model as { prediction: string; global: { source: string; interceptMs: number; msPerKm: number; quantile: number; medianRelativeError: number }; hosts: { perHostModels: number; globalOnly: number } };
  out.push(
    '',
    `model: ${m.prediction === 'per-host' ? `per-host lower envelopes for ${m.hosts.perHostModels} hosts${m.hosts.globalOnly > 0 ? `, global for ${m.hosts.globalOnly} without RTTs` : ''}` : 'global only (no --rtts)'}; global rtt ≈ ${m.global.interceptMs} ms + ${m.global.msPerKm} ms/km (quantile ${m.global.quantile}, median relative error ${m.global.medianRelativeError}; ${m.global.source})`,
    'predictions are for planning only: no verdict on real measurements uses them',
  );
  // Site and host ids come from the input files: a control character in one must not reach the terminal.
  return printableLines(out);
}
