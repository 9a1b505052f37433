import { GEO_ENGINE_VERSION, km, verifyTarget, type World } from '@locus/geo';
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
  if (bundle.host.claimed !== bundle.verdict.claimed) mismatch('verdict.claimed', `the host claims ${bundle.host.claimed}, the verdict judges ${bundle.verdict.claimed}`);

  const recomputed = toVerdictRecord(
    verifyTarget(world, boundsFromMeasurements(bundle.landmarks, bundle.measurements), bundle.host.claimed, {
      speed: speedModelOf(bundle.parameters.speed),
      restricted: new Set(bundle.parameters.restricted),
      marginKm: km(bundle.parameters.marginKm),
    }),
  );
  problems.push(...compareVerdicts(bundle.verdict, recomputed));
  if (bundle.parameters.speed !== 'vacuum') notes.push(`speed model ${bundle.parameters.speed} is not a physical bound; "excluded" assumes no path beats it`);
  return problems.length === 0 ? { ok: true, verdict: recomputed, notes } : { ok: false, problems, notes };
}
