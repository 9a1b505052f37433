import { describe, expect, it } from 'vitest';
import { degrees, km } from '../units.js';
import {
  VACUUM_MS_PER_KM,
  fitGlobalModel,
  fitHostModel,
  fitQuantileLine,
  lowerEnvelope,
  modelDistanceKm,
  predictHost,
  predictLinear,
  type RttSample,
} from './rtt-model.js';

/** Deterministic spread in [0, 1): the fractional part of multiples of the golden ratio. */
const spread = (i: number): number => (i * 0.6180339887) % 1;

describe('fitQuantileLine', () => {
  it('recovers a line under uniform noise, with the asked share of samples below it', () => {
    // rtt = 3 + 0.012·d + U(0, 4): the 10% quantile line is 3.4 + 0.012·d.
    const samples: RttSample[] = Array.from({ length: 400 }, (_, i) => {
      const d = 50 + spread(i + 7) * 9000;
      return { distanceKm: d, rttMs: 3 + 0.012 * d + 4 * spread(3 * i + 1) };
    });
    const m = fitGlobalModel(samples, 0.1);
    expect(m.msPerKm).toBeCloseTo(0.012, 3);
    expect(m.interceptMs).toBeGreaterThan(3.1);
    expect(m.interceptMs).toBeLessThan(3.8);
    expect(m.belowShare).toBeGreaterThan(0.07);
    expect(m.belowShare).toBeLessThan(0.13);
    expect(m.effectiveKmPerMs).toBeCloseTo(2 / m.msPerKm, 9);
    expect(m.samples).toBe(400);
  });

  it('never fits a slope faster than light in vacuum nor a negative intercept', () => {
    // Samples faster than light (bad coordinates) must not drag the line below physics.
    const samples: RttSample[] = [
      { distanceKm: 1000, rttMs: 1 },
      { distanceKm: 2000, rttMs: 2 },
      { distanceKm: 3000, rttMs: 3 },
    ];
    const m = fitQuantileLine(samples, 0.5);
    expect(m.msPerKm).toBeGreaterThanOrEqual(VACUUM_MS_PER_KM);
    expect(m.interceptMs).toBeGreaterThanOrEqual(0);
  });

  it('rejects a quantile outside (0, 1)', () => {
    expect(() => fitGlobalModel([{ distanceKm: 1, rttMs: 1 }], 1)).toThrow(/quantile/);
  });
});

describe('predictLinear', () => {
  it('never predicts an RTT below the vacuum round trip', () => {
    expect(predictLinear({ interceptMs: 0, msPerKm: 0 }, km(3000))).toBeCloseTo(3000 * VACUUM_MS_PER_KM, 9);
    expect(predictLinear({ interceptMs: 2, msPerKm: 0.01 }, km(100))).toBeCloseTo(3, 9);
  });
});

describe('the host model', () => {
  // A host with 2.5 ms of access delay and paths 1.6× a straight fibre, plus landmark noise.
  const fiberMsPerKm = 2 / ((299.792458 * 2) / 3);
  const host: RttSample[] = [300, 700, 1200, 2500, 4000, 8000].map((d, i) => ({ distanceKm: d, rttMs: 2.5 + 1.6 * fiberMsPerKm * d + (i % 2) * 3 }));
  const global = { interceptMs: 4, msPerKm: 0.0143 };

  it('lies under every RTT the host measured and touches the nearest ones', () => {
    const line = lowerEnvelope(host);
    for (const p of host) expect(predictLinear(line, km(p.distanceKm))).toBeLessThanOrEqual(p.rttMs + 1e-9);
    expect(line.interceptMs).toBeCloseTo(2.5, 6);
    expect(line.msPerKm).toBeCloseTo(1.6 * fiberMsPerKm, 9);
  });

  it('reports the path inflation and access delay it found', () => {
    const m = fitHostModel(host, global);
    expect(m.inflation).toBeCloseTo(1.6, 6);
    expect(m.line.interceptMs).toBeCloseTo(2.5, 6);
    expect(m.nearestKm).toBe(300);
    expect(m.samples).toBe(6);
    // The best ratio to the global curve is the smallest measured RTT over its prediction.
    expect(m.ratio).toBeCloseTo(Math.min(...host.map((p) => p.rttMs / (4 + 0.0143 * p.distanceKm))), 9);
  });

  it('predicts the lower of its two envelopes, never below physics', () => {
    const m = fitHostModel(host, global);
    for (const d of [0, 50, 200, 1000, 5000]) {
      const p = predictHost(m, km(d));
      expect(p).toBeLessThanOrEqual(predictLinear(m.line, km(d)) + 1e-12);
      expect(p).toBeLessThanOrEqual(m.ratio * predictLinear(global, km(d)) + 1e-12);
      expect(p).toBeGreaterThanOrEqual(VACUUM_MS_PER_KM * d - 1e-12);
    }
    // A host 10 ms from everything near it gets a slow short-distance prediction.
    const slow = fitHostModel([{ distanceKm: 200, rttMs: 14 }, { distanceKm: 1500, rttMs: 40 }], global);
    expect(predictHost(slow, km(100))).toBeGreaterThan(8);
  });

  it('needs at least one RTT', () => {
    expect(() => fitHostModel([], global)).toThrow(/at least one/);
  });
});

describe('modelDistanceKm', () => {
  it('is the great-circle distance on the mean radius', () => {
    const d = modelDistanceKm({ lat: degrees(0), lon: degrees(0) }, { lat: degrees(0), lon: degrees(90) });
    expect(d).toBeCloseTo((Math.PI / 2) * 6371.0088, 6);
  });
});
