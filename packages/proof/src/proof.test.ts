import { describe, expect, it } from 'vitest';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { DEFAULT_RESTRICTED, OVERLAY_REVIEWED } from '@locus/geo';
import { generateSigningKey, signMeasurement, type ProofBundle } from '@locus/protocol';
import { buildProof } from './build.js';
import { DEFAULT_PROOF_REQUIREMENTS, PROOF_CLOCK_SKEW_MS, verifyProof } from './verify.js';
import { LANDMARKS, landmarkAt, measure, type TestLandmark } from './test-support.js';

const world = naturalEarthWorld();
const createdAt = new Date('2026-11-29T12:00:00.000Z');
const host = generateSigningKey().publicKey;
const singapore = { lat: 1.33, lon: 103.74 };

function bundleFor(landmarks: TestLandmark[], at = singapore, claimed: string | null = 'SG', addedMs = 0): ProofBundle {
  const measurements = landmarks.flatMap((l, i) => [measure(l, host, at, new Date(createdAt.getTime() - 60_000 * (i + 1)), addedMs), measure(l, host, at, new Date(createdAt.getTime() - 3_600_000), addedMs + 3)]);
  return buildProof(world, {
    hostKey: host,
    claimed,
    landmarks: landmarks.map((l) => l.info),
    measurements,
    speed: 'vacuum',
    restricted: DEFAULT_RESTRICTED,
    marginKm: 25,
    maxAgeMs: 24 * 3600_000,
    travelKmPerH: 1200,
    createdAt,
  });
}

const clone = (b: ProofBundle): ProofBundle => JSON.parse(JSON.stringify(b)) as ProofBundle;

describe('proof bundles', () => {
  const landmarks = LANDMARKS();
  const bundle = bundleFor(landmarks);

  it('build a verdict that verifies offline, with and without a trust list', () => {
    expect(bundle.verdict).toMatchObject({ claimed: 'SG', restricted: 'excluded' });
    expect(bundle.measurements).toHaveLength(10);
    expect(verifyProof(world, clone(bundle))).toMatchObject({ ok: true, verdict: bundle.verdict });
    expect(verifyProof(world, clone(bundle), { trusted: landmarks.map((l) => l.info) })).toMatchObject({ ok: true });
  });

  it('leave out measurements of other hosts, outside the window, and of landmarks not trusted (revoked)', () => {
    const other = measure(landmarks[0]!, generateSigningKey().publicKey, singapore, createdAt);
    const old = measure(landmarks[0]!, host, singapore, new Date(createdAt.getTime() - 25 * 3600_000));
    const revoked = measure(landmarkAt('gone', 'SG', 1.3, 103.8), host, singapore, createdAt);
    const b = buildProof(world, { hostKey: host, claimed: 'SG', landmarks: landmarks.map((l) => l.info), measurements: [other, old, revoked, ...bundle.measurements], speed: 'vacuum', restricted: DEFAULT_RESTRICTED, marginKm: 25, maxAgeMs: 24 * 3600_000, travelKmPerH: 1200, createdAt });
    expect(b.measurements).toEqual(bundle.measurements);
  });

  it.each<[string, (b: ProofBundle) => void, RegExp]>([
    ['an RTT made smaller', (b) => (b.measurements[0]!.measurement.minRttMs *= 0.5), /measurements\[0\]\.signature: does not verify/],
    ['an RTT made larger', (b) => (b.measurements[3]!.measurement.minRttMs += 7), /measurements\[3\]\.signature/],
    ['a landmark moved', (b) => (b.landmarks[2]!.lat += 1), /landmark "fra" moved/],
    ['a landmark key swapped', (b) => (b.landmarks[1]!.publicKey = generateSigningKey().publicKey), /does not verify under landmark "tyo"'s key/],
    ['the verdict edited', (b) => (b.verdict.restricted = 'certain'), /verdict\.restricted: the bundle says "certain", its measurements give "excluded"/],
    ['a country dropped', (b) => b.verdict.possibleCountries.pop(), /verdict\.possibleCountries/],
    ['the estimate moved', (b) => (b.verdict.estimate!.lat += 0.5), /verdict\.estimate/],
    ['the claim changed', (b) => (b.host.claimed = 'MY'), /verdict\.claimed/],
    ['a measurement duplicated', (b) => b.measurements.push(b.measurements[0]!), /LOCUS_ERR_MEASUREMENT_REPLAYED|repeats measurements\[0\]/],
    ['a measurement of another host', (b) => (b.measurements[0]!.measurement.hostKey = generateSigningKey().publicKey), /signature|another host|other than the bundle/],
    ['the creation date moved back', (b) => (b.createdAt = '2026-11-27T12:00:00.000Z'), /dated after the bundle was made/],
    ['a landmark removed', (b) => b.landmarks.splice(0, 1), /landmark "sin" is not in the bundle/],
    ['a field added', (b) => ((b as unknown as Record<string, unknown>).extra = 1), /Unrecognized key/],
    ['an outline review date that is no day', (b) => (b.parameters.overlayReviewed = '2025-02-30'), /LOCUS_ERR_PROOF_MALFORMED parameters\.overlayReviewed: is not a real day/],
    ['an outline review date with a time', (b) => (b.parameters.overlayReviewed = '2025-12-01T00:00:00.000Z'), /parameters\.overlayReviewed: must be a day as YYYY-MM-DD/],
  ])('fail to verify with %s', (_, tamper, message) => {
    const b = clone(bundle);
    tamper(b);
    const r = verifyProof(world, b);
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.problems.map((p) => `${p.code} ${p.where}: ${p.message}`).join('\n')).toMatch(message);
  });

  it('fail when any single character of a measurement is changed', () => {
    const text = JSON.stringify(bundle.measurements[4]);
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      const replacement = /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : /[a-z]/.test(c) ? (c === 'z' ? 'a' : String.fromCharCode(c.charCodeAt(0) + 1)) : /[A-Z]/.test(c) ? (c === 'Z' ? 'A' : String.fromCharCode(c.charCodeAt(0) + 1)) : null;
      if (replacement === null) continue;
      let tampered: unknown;
      try {
        tampered = JSON.parse(text.slice(0, i) + replacement + text.slice(i + 1));
      } catch {
        continue; // not JSON any more: `locus proof verify` exits 2
      }
      const b = clone(bundle);
      b.measurements[4] = tampered as ProofBundle['measurements'][number];
      expect(verifyProof(world, b).ok, `character ${i} (${c} → ${replacement})`).toBe(false);
    }
  });

  it('refuses a landmark the trust list does not know, or knows elsewhere', () => {
    const [first, ...rest] = landmarks.map((l) => l.info);
    expect(verifyProof(world, clone(bundle), { trusted: rest })).toMatchObject({ ok: false, problems: [expect.objectContaining({ message: expect.stringMatching(/not among the trusted/) })] });
    const elsewhere = [{ ...first!, lat: 10 }, ...rest];
    expect(verifyProof(world, clone(bundle), { trusted: elsewhere })).toMatchObject({ ok: false });
  });

  it('never lets a host that added delay in Shenzhen verify a claim or be excluded', () => {
    const b = bundleFor(landmarks, { lat: 22.54, lon: 114.06 }, 'SG', 25);
    expect(b.verdict.restricted).not.toBe('excluded');
    expect(b.verdict.claim).not.toBe('verified');
    expect(verifyProof(world, b).ok).toBe(true);
  });

  it("reckon a bundle's age from its newest signed measurement, never from its unsigned createdAt", () => {
    const hour = 3_600_000;
    const require = { ...DEFAULT_PROOF_REQUIREMENTS, maxAgeMs: 24 * hour, maxProofAgeMs: 10 * hour };
    const problems = (b: ProofBundle, now: number) => {
      const r = verifyProof(world, b, { require, now });
      // A bundle dated later no longer gives its verdict (every bound has grown since): only its age is looked at here.
      return r.ok ? [] : r.problems.filter((p) => p.code === 'LOCUS_ERR_MEASUREMENT_STALE').map((p) => `${p.code} ${p.where}: ${p.message}`);
    };
    expect(problems(clone(bundle), createdAt.getTime() + 9 * hour)).toEqual([]);
    expect(problems(clone(bundle), createdAt.getTime() + 11 * hour)).toEqual([expect.stringMatching(/^LOCUS_ERR_MEASUREMENT_STALE measurements\[0\]\.measurement\.measuredAt: its newest signed measurement was taken 2026-11-29T11:59:00\.000Z, 11\.02 h ago, more than the 10 h you allow/)]);
    // Dated 23 h later, still within its 24-h window of every measurement: 30 h old, not 7.
    const redated = clone(bundle);
    redated.createdAt = new Date(createdAt.getTime() + 23 * hour).toISOString();
    expect(problems(redated, createdAt.getTime() + 30 * hour)).toEqual([expect.stringMatching(/newest signed measurement was taken .*, 30\.02 h ago/)]);
    // Dated ahead of the verifier's clock, beyond the skew allowed.
    expect(problems(redated, createdAt.getTime() + 1 * hour)).toEqual([expect.stringMatching(/^LOCUS_ERR_MEASUREMENT_STALE createdAt: dated 2026-11-30T11:00:00\.000Z, after this verifier's clock/)]);
    expect(problems(clone(bundle), createdAt.getTime() - PROOF_CLOCK_SKEW_MS + 1)).toEqual([]);
  });

  it('re-signing an altered measurement with another key is caught', () => {
    const b = clone(bundle);
    b.measurements[0] = signMeasurement({ ...b.measurements[0]!.measurement, minRttMs: 0.01 }, generateSigningKey().privateKey);
    expect(verifyProof(world, b).ok).toBe(false);
  });

  describe('judge where the host can be when the bundle is made, letting it travel', () => {
    // The audit's case: in Russia at every measurement, from Vyborg two hours before and from
    // Kaliningrad at the end. Honest RTTs; each landmark's least is the nearer place's.
    const waw = landmarkAt('waw', 'PL', 52.23, 21.01);
    const hel = landmarkAt('hel', 'FI', 60.17, 24.94);
    const moved = [waw, hel].flatMap((l) => [measure(l, host, { lat: 60.71, lon: 28.75 }, new Date(createdAt.getTime() - 2 * 3_600_000)), measure(l, host, { lat: 54.71, lon: 20.51 }, createdAt)]);
    const movedBundle = (travelKmPerH: number) =>
      buildProof(world, { hostKey: host, claimed: 'LT', landmarks: [waw.info, hel.info], measurements: moved, speed: 'vacuum', restricted: DEFAULT_RESTRICTED, marginKm: 25, maxAgeMs: 6 * 3600_000, travelKmPerH, createdAt });
    const problems = (r: ReturnType<typeof verifyProof>) => (r.ok ? [] : r.problems.map((p) => `${p.code} ${p.where}: ${p.message}`));

    it('keeps Russia possible for a host that moved within Russia while it was measured, and records the speed', () => {
      const b = movedBundle(1200);
      expect(b.parameters.travelKmPerH).toBe(1200);
      expect(b.verdict.restricted).toBe('possible');
      expect(b.verdict.possibleCountries).toContain('RU');
      expect(verifyProof(world, clone(b), { require: DEFAULT_PROOF_REQUIREMENTS })).toMatchObject({ ok: true, verdict: b.verdict });
    });

    it('fails a bundle that lets its host travel slower than required: it could exclude where the host was', () => {
      const still = movedBundle(0);
      // Judged as if the host stayed put: excluded, in the Baltics, where it never was.
      expect(still.verdict).toMatchObject({ restricted: 'excluded' });
      expect(problems(verifyProof(world, clone(still), { require: DEFAULT_PROOF_REQUIREMENTS }))).toEqual([
        'LOCUS_ERR_PROOF_MISMATCH parameters.travelKmPerH: lets its host move at 0 km/h, less than the 1200 km/h you hold it to: a host that moved faster while it was measured could be judged "excluded" where it never was',
      ]);
      expect(verifyProof(world, clone(still), { require: { ...DEFAULT_PROOF_REQUIREMENTS, travelKmPerH: 0 } })).toMatchObject({ ok: true });
    });

    it('recomputes a bundle made before the speed was recorded as it was judged, says so, and fails it against the default requirement', () => {
      const old = clone(movedBundle(0));
      delete old.parameters.travelKmPerH;
      const r = verifyProof(world, clone(old));
      expect(r).toMatchObject({ ok: true, verdict: old.verdict });
      expect(r.notes).toContain("the bundle does not say how fast its host may move (it predates the record): recomputed with each landmark's least RTT as it was, which holds only a host that stayed in one place across the window");
      expect(problems(verifyProof(world, clone(old), { require: DEFAULT_PROOF_REQUIREMENTS }))).toEqual([expect.stringMatching(/^LOCUS_ERR_PROOF_MISMATCH parameters\.travelKmPerH: absent: the bundle was made before Locus grew bounds with time/)]);
    });

    it('catches a speed raised after the verdict was made, and a creation date moved on: the verdict no longer follows', () => {
      const still = clone(movedBundle(0));
      still.parameters.travelKmPerH = 1200;
      expect(problems(verifyProof(world, still))).toContainEqual(expect.stringMatching(/verdict\.restricted: the bundle says "excluded", its measurements give "possible"/));
      // A day later, every bound has grown by 28,800 km: the bundle says nothing any more of where the host is.
      const later = clone(movedBundle(1200));
      later.createdAt = new Date(createdAt.getTime() + 5 * 3_600_000).toISOString();
      expect(problems(verifyProof(world, later))).toContainEqual(expect.stringMatching(/verdict\.areaKm2/));
    });
  });

  describe('record the overlay outlines they were judged with, and note outlines past review', () => {
    const overlayNotes = (r: { notes: readonly string[] }) => r.notes.filter((n) => /overlay outlines/.test(n));
    /** A world, and the bundle judged with it, whose outlines were reviewed on a given day (the shipped day moves at each review). */
    const reviewedOn = (day: string | undefined) => ({ ...world, overlayReviewed: day });
    const judgedWith = (day: string | undefined): ProofBundle => {
      const b = clone(bundle);
      if (day === undefined) delete b.parameters.overlayReviewed;
      else b.parameters.overlayReviewed = day;
      return b;
    };
    const now = Date.parse('2026-12-02T11:00:00.000Z');

    it('records the day the outlines were reviewed', () => {
      expect(bundle.parameters.overlayReviewed).toBe(OVERLAY_REVIEWED);
      expect(buildProof(reviewedOn('2026-11-01'), { hostKey: host, claimed: 'SG', landmarks: landmarks.map((l) => l.info), measurements: bundle.measurements, speed: 'vacuum', restricted: DEFAULT_RESTRICTED, marginKm: 25, maxAgeMs: 24 * 3600_000, travelKmPerH: 1200, createdAt }).parameters.overlayReviewed).toBe('2026-11-01');
    });

    it('notes nothing while they are six months old or less, or when no clock is given', () => {
      expect(verifyProof(reviewedOn('2025-12-01'), judgedWith('2025-12-01'), { now: Date.parse('2026-06-01T00:00:00.000Z') })).toMatchObject({ ok: true, notes: [expect.stringMatching(/trusted landmarks/)] });
      expect(overlayNotes(verifyProof(reviewedOn('2025-12-01'), judgedWith('2025-12-01')))).toEqual([]);
    });

    it('notes outlines past review at the time of verifying, naming the fronts, and still holds', () => {
      const r = verifyProof(reviewedOn('2025-12-01'), judgedWith('2025-12-01'), { now, trusted: landmarks.map((l) => l.info), require: { restricted: DEFAULT_RESTRICTED, marginKm: 25, maxAgeMs: 24 * 3600_000, speed: 'vacuum', travelKmPerH: 1200 } });
      expect(r).toMatchObject({ ok: true, verdict: bundle.verdict });
      expect(r.notes).toEqual([
        'the overlay outlines the bundle was judged and recomputed with were reviewed 2025-12-01, more than 6 months before 2026-12-02: the lines they follow may have moved since, above all the fronts of Russian-occupied south-eastern Ukraine, Abkhazia, South Ossetia, Transnistria: a verdict near them may rest on an old line',
      ]);
    });

    it("tells the bundle's outlines from the verifier's", () => {
      expect(overlayNotes(verifyProof(reviewedOn('2026-11-01'), judgedWith('2025-12-01'), { now }))).toEqual([
        'the bundle was judged with overlay outlines reviewed 2025-12-01; recomputed with outlines reviewed 2026-11-01',
        expect.stringMatching(/^the overlay outlines the bundle was judged with were reviewed 2025-12-01, more than 6 months before 2026-12-02: .*fronts of Russian-occupied/),
      ]);
      const r = verifyProof(reviewedOn('2025-12-01'), judgedWith('2026-11-01'), { now });
      expect(r.ok).toBe(true);
      expect(overlayNotes(r)).toEqual([
        'the bundle was judged with overlay outlines reviewed 2026-11-01; recomputed with outlines reviewed 2025-12-01',
        expect.stringMatching(/^this verifier's overlay outlines were reviewed 2025-12-01, more than 6 months before 2026-12-02: .*fronts of Russian-occupied.*a newer Locus may have redrawn them$/),
      ]);
    });

    it('verifies a bundle made before the day was recorded, and says it does not carry one', () => {
      const r = verifyProof(reviewedOn('2026-11-01'), judgedWith(undefined), { now });
      expect(r).toMatchObject({ ok: true, verdict: bundle.verdict });
      expect(overlayNotes(r)).toEqual(['the bundle does not say when the overlay outlines it was judged with were reviewed (it predates the record); recomputed with outlines reviewed 2026-11-01']);
      expect(overlayNotes(verifyProof(reviewedOn('2025-12-01'), judgedWith(undefined), { now }))).toEqual([
        'the bundle does not say when the overlay outlines it was judged with were reviewed (it predates the record); recomputed with outlines reviewed 2025-12-01',
        expect.stringMatching(/^this verifier's overlay outlines were reviewed 2025-12-01, more than 6 months/),
      ]);
    });
  });
});
