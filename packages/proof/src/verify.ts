import { DEFAULT_BORDER_MARGIN, DEFAULT_RESTRICTED, DEFAULT_TRAVEL, GEO_ENGINE_VERSION, OVERLAY_FRONTS, OVERLAY_REVIEW_MONTHS, km, overlayReviewDue, speedOf, verifyTarget, type SpeedModel, type World } from '@locus/geo';
import { ProofBundle, verifyMeasurementSignature, type LandmarkInfo, type ProtocolErrorCode, type VerdictRecord } from '@locus/protocol';
import { boundsFromMeasurements } from './bounds.js';
import { speedModelOf } from './build.js';
import { toVerdictRecord } from './record.js';

export interface ProofProblem {
  readonly code: ProtocolErrorCode;
  /** Where in the bundle, as a path such as `measurements[3].signature`. */
  readonly where: string;
  readonly message: string;
}

export type ProofCheck =
  | { readonly ok: true; readonly verdict: VerdictRecord; readonly notes: readonly string[] }
  | { readonly ok: false; readonly problems: readonly ProofProblem[]; readonly notes: readonly string[] };

export interface VerifyProofOptions {
  /** Landmarks whose keys and places you trust; when given, every landmark in the bundle must be one of them. */
  readonly trusted?: readonly LandmarkInfo[];
  /**
   * The parameters you hold the bundle to. Its own are not signed: whoever made or passed it on
   * could have judged with a shorter restricted list, a narrower border margin or a longer
   * window, and its verdict would still recompute. When given, a bundle judged with weaker ones
   * does not hold.
   */
  readonly require?: ProofRequirements;
  /**
   * Now, ms since the epoch: with `require.maxProofAgeMs`, a bundle whose newest signed
   * measurement is older, or whose `createdAt` is ahead of `now`, does not hold; and overlay outlines (the bundle's or the verifier's) reviewed more than
   * OVERLAY_REVIEW_MONTHS before it are noted.
   */
  readonly now?: number;
}

/** What a verifier holds a bundle's parameters to. */
export interface ProofRequirements {
  /** Countries the bundle's restricted list must name (it may name more). */
  readonly restricted: readonly string[];
  /** The least border margin, km. */
  readonly marginKm: number;
  /** The longest window a measurement may count for, ms. */
  readonly maxAgeMs: number;
  /**
   * The slowest speed model the bundle may judge with: a slower one draws smaller regions that
   * assume no path beats it. Only `vacuum` is a physical bound.
   */
  readonly speed: SpeedModel;
  /**
   * The least travel speed, km/h, the bundle must allow its host: each bound grows by the way
   * a host this fast can have gone since it was measured. Less (or a bundle made before Locus
   * grew bounds) holds only a host that moved slower, or not at all: one that answered
   * different landmarks from different places as it moved could be judged "excluded" in a
   * region it never was in.
   */
  readonly travelKmPerH: number;
  /**
   * How long ago, at most, the bundle's newest signed measurement may have been taken (ms before
   * `now`); undefined: any age. A proof says where a host was in its window, not where it is.
   * Its `createdAt` is not signed, so the age is not taken from it.
   */
  readonly maxProofAgeMs?: number | undefined;
}

/** The parameters a Locus server judges with by default: the default restricted list, a 25-km margin, a 6-hour window, light in vacuum, hosts moving up to 1,200 km/h. */
export const DEFAULT_PROOF_REQUIREMENTS: ProofRequirements = Object.freeze({
  restricted: DEFAULT_RESTRICTED,
  marginKm: DEFAULT_BORDER_MARGIN,
  maxAgeMs: 6 * 3_600_000,
  speed: 'vacuum' as SpeedModel,
  travelKmPerH: DEFAULT_TRAVEL.maxSpeedKmPerH,
});

/** A bundle's travel speed, km/h: 0 for one made before Locus grew bounds (it judged the least RTTs as they were). */
const travelOf = (bundle: ProofBundle): number => bundle.parameters.travelKmPerH ?? 0;

/** The bundle's parameters weaker than those required: each a problem. */
function weakerParameters(bundle: ProofBundle, require: ProofRequirements): ProofProblem[] {
  const parameters = bundle.parameters;
  const problems: ProofProblem[] = [];
  const weaker = (field: string, message: string) => problems.push({ code: 'LOCUS_ERR_PROOF_MISMATCH', where: `parameters.${field}`, message });
  const missing = require.restricted.filter((c) => !parameters.restricted.includes(c));
  if (missing.length > 0) weaker('restricted', `leaves out ${missing.join(', ')}, which you hold it to: its "restricted" says nothing of them`);
  if (parameters.marginKm < require.marginKm) weaker('marginKm', `a border margin of ${parameters.marginKm} km, less than the ${require.marginKm} km you hold it to`);
  if (parameters.maxAgeMs > require.maxAgeMs) weaker('maxAgeMs', `counts measurements for ${parameters.maxAgeMs / 3_600_000} h, longer than the ${require.maxAgeMs / 3_600_000} h you hold it to`);
  const speed = speedModelOf(parameters.speed);
  if (speedOf(speed) < speedOf(require.speed)) weaker('speed', `judged with speed ${parameters.speed} (${+speedOf(speed).toFixed(3)} km/ms), slower than the ${require.speed} you hold it to: its regions assume no path beats that speed`);
  if (parameters.travelKmPerH === undefined && require.travelKmPerH > 0) {
    weaker('travelKmPerH', `absent: the bundle was made before Locus grew bounds with time, and holds only a host that stayed in one place across its window (one that moved could be judged "excluded" where it never was); you hold it to ${require.travelKmPerH} km/h`);
  } else if (travelOf(bundle) < require.travelKmPerH) {
    weaker('travelKmPerH', `lets its host move at ${travelOf(bundle)} km/h, less than the ${require.travelKmPerH} km/h you hold it to: a host that moved faster while it was measured could be judged "excluded" where it never was`);
  }
  return problems;
}

/** How far a bundle's `createdAt` may run ahead of the verifier's clock before it is called a date in the future: clocks differ. */
export const PROOF_CLOCK_SKEW_MS = 10 * 60_000;

/**
 * The bundle's age past the one allowed. `createdAt` is not signed: whoever passes the bundle on
 * can change it, so the age is reckoned from the newest signed `measuredAt` (the bundle cannot
 * have been made before it), and a `createdAt` ahead of the verifier's clock is a problem too.
 */
function tooOld(bundle: ProofBundle, newest: { index: number; at: number } | undefined, maxProofAgeMs: number, now: number): ProofProblem[] {
  const problems: ProofProblem[] = [];
  const hours = (ms: number) => +(ms / 3_600_000).toFixed(2);
  if (Date.parse(bundle.createdAt) > now + PROOF_CLOCK_SKEW_MS) {
    problems.push({ code: 'LOCUS_ERR_MEASUREMENT_STALE', where: 'createdAt', message: `dated ${bundle.createdAt}, after this verifier's clock (${new Date(now).toISOString()}): createdAt is not signed, and a bundle cannot have been made in the future` });
  }
  if (newest === undefined) return problems;
  const age = now - newest.at;
  if (age > maxProofAgeMs) {
    const at = new Date(newest.at).toISOString();
    problems.push({ code: 'LOCUS_ERR_MEASUREMENT_STALE', where: `measurements[${newest.index}].measurement.measuredAt`, message: `its newest signed measurement was taken ${at}, ${hours(age)} h ago, more than the ${hours(maxProofAgeMs)} h you allow: it says where the host was then` });
  }
  return problems;
}

/**
 * Notes on the overlay outlines (docs/geo.md, "Overlay areas"): those the bundle was judged with
 * against the verifier's, and either of them unreviewed for more than OVERLAY_REVIEW_MONTHS at
 * `now`. Outlines past review do not make a proof fail: the lines they follow may not have moved.
 */
function overlayNotes(used: string | undefined, own: string | undefined, now: number | undefined): string[] {
  const notes: string[] = [];
  if (used !== own) {
    const recomputed = own === undefined ? 'recomputed without overlay outlines' : `recomputed with outlines reviewed ${own}`;
    notes.push(used === undefined ? `the bundle does not say when the overlay outlines it was judged with were reviewed (it predates the record); ${recomputed}` : `the bundle was judged with overlay outlines reviewed ${used}; ${recomputed}`);
  }
  if (now === undefined) return notes;
  const due = (reviewed: string | undefined): reviewed is string => reviewed !== undefined && overlayReviewDue(reviewed, now);
  const past = (reviewed: string) => `reviewed ${reviewed}, more than ${OVERLAY_REVIEW_MONTHS} months before ${new Date(now).toISOString().slice(0, 10)}`;
  const fronts = `the lines they follow may have moved since, above all the fronts of ${OVERLAY_FRONTS.join(', ')}: a verdict near them may rest on an old line`;
  if (due(used) && used === own) notes.push(`the overlay outlines the bundle was judged and recomputed with were ${past(used)}: ${fronts}`);
  else {
    if (due(used)) notes.push(`the overlay outlines the bundle was judged with were ${past(used)}: ${fronts}`);
    if (due(own)) notes.push(`this verifier's overlay outlines were ${past(own)}: ${fronts}; a newer Locus may have redrawn them`);
  }
  return notes;
}

/** Numbers recomputed by another build may differ in the last digit; categories never may. */
function compareVerdicts(stated: VerdictRecord, recomputed: VerdictRecord): ProofProblem[] {
  const problems: ProofProblem[] = [];
  const differ = (field: string, a: unknown, b: unknown) =>
    problems.push({ code: 'LOCUS_ERR_PROOF_MISMATCH', where: `verdict.${field}`, message: `the bundle says ${JSON.stringify(a)}, its measurements give ${JSON.stringify(b)}` });
  for (const field of ['claimed', 'claim', 'restricted', 'countryEstimate'] as const) {
    if (stated[field] !== recomputed[field]) differ(field, stated[field], recomputed[field]);
  }
  if (JSON.stringify(stated.possibleCountries) !== JSON.stringify(recomputed.possibleCountries)) differ('possibleCountries', stated.possibleCountries, recomputed.possibleCountries);
  if ((stated.empty ?? false) !== (recomputed.empty ?? false)) differ('empty', stated.empty ?? false, recomputed.empty ?? false);
  if (Math.abs(stated.areaKm2 - recomputed.areaKm2) > 1 + 1e-6 * recomputed.areaKm2) differ('areaKm2', stated.areaKm2, recomputed.areaKm2);
  if ((stated.radiusKm === null) !== (recomputed.radiusKm === null) || Math.abs((stated.radiusKm ?? 0) - (recomputed.radiusKm ?? 0)) > 0.2) differ('radiusKm', stated.radiusKm, recomputed.radiusKm);
  const [a, b] = [stated.estimate, recomputed.estimate];
  if ((a === null) !== (b === null) || (a && b && (Math.abs(a.lat - b.lat) > 2e-4 || Math.abs(a.lon - b.lon) > 2e-4))) differ('estimate', a, b);
  return problems;
}

/**
 * Checks a proof bundle offline: its shape, every signature, that each measurement is of the
 * bundle's host, from a landmark in the bundle, at that landmark's place, fresh relative to
 * the bundle's creation and not a repeat; then recomputes the verdict and compares.
 */
export function verifyProof(world: World, input: unknown, options: VerifyProofOptions = {}): ProofCheck {
  const notes: string[] = [];
  const parsed = ProofBundle.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      notes,
      problems: parsed.error.issues.slice(0, 20).map((i) => ({ code: 'LOCUS_ERR_PROOF_MALFORMED', where: i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(root)', message: i.message })),
    };
  }
  const bundle = parsed.data;
  const problems: ProofProblem[] = [];
  const mismatch = (where: string, message: string, code: ProtocolErrorCode = 'LOCUS_ERR_PROOF_MISMATCH') => problems.push({ code, where, message });

  const landmarks = new Map<string, LandmarkInfo>();
  bundle.landmarks.forEach((l, i) => {
    if (landmarks.has(l.id)) mismatch(`landmarks[${i}].id`, `landmark "${l.id}" is listed twice`);
    landmarks.set(l.id, l);
  });
  if (options.trusted) {
    const trusted = new Map(options.trusted.map((l) => [l.id, l]));
    bundle.landmarks.forEach((l, i) => {
      const t = trusted.get(l.id);
      if (!t) mismatch(`landmarks[${i}]`, `landmark "${l.id}" is not among the trusted landmarks`);
      else if (t.publicKey !== l.publicKey) mismatch(`landmarks[${i}].publicKey`, `landmark "${l.id}" has a key other than the trusted one`);
      else if (t.lat !== l.lat || t.lon !== l.lon) mismatch(`landmarks[${i}]`, `landmark "${l.id}" is at (${l.lat}, ${l.lon}); the trusted list puts it at (${t.lat}, ${t.lon})`);
    });
  } else {
    notes.push('landmark keys were taken from the bundle itself; pass trusted landmarks to know who measured');
  }

  const created = Date.parse(bundle.createdAt);
  const seen = new Map<string, number>();
  let newest: { index: number; at: number } | undefined;
  bundle.measurements.forEach((signed, i) => {
    const m = signed.measurement;
    const where = `measurements[${i}]`;
    const landmark = landmarks.get(m.landmarkId);
    if (!landmark) return mismatch(`${where}.measurement.landmarkId`, `landmark "${m.landmarkId}" is not in the bundle`);
    if (!verifyMeasurementSignature(signed, landmark.publicKey)) return mismatch(`${where}.signature`, `does not verify under landmark "${m.landmarkId}"'s key`);
    if (m.landmarkAt.lat !== landmark.lat || m.landmarkAt.lon !== landmark.lon) {
      mismatch(`landmarks.${m.landmarkId}`, `landmark "${m.landmarkId}" moved: the bundle puts it at (${landmark.lat}, ${landmark.lon}), its signed measurement at (${m.landmarkAt.lat}, ${m.landmarkAt.lon})`);
    }
    if (m.hostKey !== bundle.host.hostKey) mismatch(`${where}.measurement.hostKey`, 'measures a host other than the bundle\'s');
    const at = Date.parse(m.measuredAt);
    if (newest === undefined || at > newest.at) newest = { index: i, at };
    if (at > created) mismatch(`${where}.measurement.measuredAt`, `dated after the bundle was made (${bundle.createdAt})`, 'LOCUS_ERR_MEASUREMENT_STALE');
    if (created - at > bundle.parameters.maxAgeMs) mismatch(`${where}.measurement.measuredAt`, `older than the bundle's ${bundle.parameters.maxAgeMs} ms window`, 'LOCUS_ERR_MEASUREMENT_STALE');
    const earlier = seen.get(m.noncesHash);
    if (earlier !== undefined) mismatch(`${where}.measurement.noncesHash`, `repeats measurements[${earlier}]`, 'LOCUS_ERR_MEASUREMENT_REPLAYED');
    seen.set(m.noncesHash, i);
  });

  if (bundle.parameters.engine !== GEO_ENGINE_VERSION) {
    notes.push(`the bundle was made by geo engine ${bundle.parameters.engine}; recomputed with ${GEO_ENGINE_VERSION}`);
  }
  if (bundle.parameters.borders !== world.source) notes.push(`the bundle used borders "${bundle.parameters.borders}"; recomputed with "${world.source}"`);
  notes.push(...overlayNotes(bundle.parameters.overlayReviewed, world.overlayReviewed, options.now));
  if (bundle.host.claimed !== bundle.verdict.claimed) mismatch('verdict.claimed', `the host claims ${bundle.host.claimed}, the verdict judges ${bundle.verdict.claimed}`);

  if (bundle.parameters.travelKmPerH === undefined) {
    notes.push('the bundle does not say how fast its host may move (it predates the record): recomputed with each landmark\'s least RTT as it was, which holds only a host that stayed in one place across the window');
  }
  const speed = speedModelOf(bundle.parameters.speed);
  const recomputed = toVerdictRecord(
    verifyTarget(world, boundsFromMeasurements(bundle.landmarks, bundle.measurements, created, { speed, maxSpeedKmPerH: travelOf(bundle) }), bundle.host.claimed, {
      speed,
      restricted: new Set(bundle.parameters.restricted),
      marginKm: km(bundle.parameters.marginKm),
    }),
  );
  problems.push(...compareVerdicts(bundle.verdict, recomputed));
  if (options.require) problems.push(...weakerParameters(bundle, options.require));
  if (options.require?.maxProofAgeMs !== undefined && options.now !== undefined) problems.push(...tooOld(bundle, newest, options.require.maxProofAgeMs, options.now));
  if (bundle.parameters.speed !== 'vacuum') notes.push(`speed model ${bundle.parameters.speed} is not a physical bound; "excluded" assumes no path beats it`);
  return problems.length === 0 ? { ok: true, verdict: recomputed, notes } : { ok: false, problems, notes };
}
