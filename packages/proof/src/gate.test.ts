import { describe, expect, it } from 'vitest';
import { generateSigningKey, signMeasurement } from '@locus/protocol';
import { MeasurementGate, checkMeasurement, checkMeasurementAsync } from './gate.js';
import { LANDMARKS, landmarkAt, measure } from './test-support.js';

const now = new Date('2026-11-29T12:00:00.000Z');
const host = generateSigningKey().publicKey;
const singapore = { lat: 1.3, lon: 103.8 };

describe('MeasurementGate', () => {
  const landmarks = LANDMARKS();
  const [sin] = landmarks;

  it('accepts a fresh measurement from a registered landmark once, and refuses its replay', () => {
    const gate = new MeasurementGate(landmarks.map((l) => l.info));
    const m = measure(sin!, host, singapore, new Date(now.getTime() - 5_000));
    expect(gate.check(m, now)).toEqual({ ok: true });
    expect(gate.check(m, now)).toMatchObject({ ok: false, code: 'LOCUS_ERR_MEASUREMENT_REPLAYED' });
  });

  it('refuses a measurement re-signed with the same nonces (reused nonce)', () => {
    const gate = new MeasurementGate(landmarks.map((l) => l.info));
    const m = measure(sin!, host, singapore, now);
    expect(gate.check(m, now).ok).toBe(true);
    const again = signMeasurement({ ...m.measurement, minRttMs: m.measurement.minRttMs + 1 }, sin!.key.privateKey);
    expect(gate.check(again, now)).toMatchObject({ ok: false, code: 'LOCUS_ERR_MEASUREMENT_REPLAYED' });
  });

  it.each([
    ['older than the window', -25 * 3600_000],
    ['dated in the future', 5 * 60_000],
  ])('refuses a measurement %s', (_, offset) => {
    const gate = new MeasurementGate(landmarks.map((l) => l.info));
    expect(gate.check(measure(sin!, host, singapore, new Date(now.getTime() + offset)), now)).toMatchObject({ ok: false, code: 'LOCUS_ERR_MEASUREMENT_STALE', signed: true });
  });

  it('refuses an unknown landmark, a forged signature and an altered field', () => {
    const gate = new MeasurementGate(landmarks.map((l) => l.info));
    const stranger = landmarkAt('evil', 'SG', 1.3, 103.8);
    // None of them is the landmark's own doing: nothing says it signed them.
    const unsigned = (r: object) => expect('signed' in r).toBe(false);
    const unknown = gate.check(measure(stranger, host, singapore, now), now);
    expect(unknown).toMatchObject({ code: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK' });
    unsigned(unknown);
    const forged = gate.check(signMeasurement(measure(sin!, host, singapore, now).measurement, generateSigningKey().privateKey), now);
    expect(forged).toMatchObject({ code: 'LOCUS_ERR_MEASUREMENT_SIGNATURE' });
    unsigned(forged);
    const m = measure(sin!, host, singapore, now);
    const altered = gate.check({ ...m, measurement: { ...m.measurement, minRttMs: m.measurement.minRttMs / 2 } }, now);
    expect(altered).toMatchObject({ code: 'LOCUS_ERR_MEASUREMENT_SIGNATURE' });
    unsigned(altered);
  });

  it('refuses a landmark that signs a place other than its registered one', () => {
    const moved = { ...sin!, info: { ...sin!.info, lat: 22.3, lon: 114.2 } };
    const gate = new MeasurementGate([moved.info]);
    expect(gate.check(measure(sin!, host, singapore, now), now)).toMatchObject({ code: 'LOCUS_ERR_MEASUREMENT_SIGNATURE', message: /other than its registered/, signed: true });
  });
});

describe('checkMeasurementAsync', () => {
  it('answers as checkMeasurement does, the signature checked off the thread', async () => {
    const landmarks = LANDMARKS();
    const [sin] = landmarks;
    const registered = new Map(landmarks.map((l) => [l.info.id, l.info]));
    const m = measure(sin!, host, singapore, now);
    const cases = [
      m,
      measure(sin!, host, singapore, new Date(now.getTime() - 25 * 3600_000)),
      measure(sin!, host, singapore, new Date(now.getTime() + 5 * 60_000)),
      measure(landmarkAt('evil', 'SG', 1.3, 103.8), host, singapore, now),
      signMeasurement(m.measurement, generateSigningKey().privateKey),
      { ...m, measurement: { ...m.measurement, minRttMs: m.measurement.minRttMs / 2 } },
      { ...m, signature: 'not-a-signature' },
      // Signed, but at another place than registered, and stale: the place is said first.
      signMeasurement({ ...measure(sin!, host, singapore, new Date(now.getTime() - 25 * 3600_000)).measurement, landmarkAt: { lat: 0, lon: 0 } }, sin!.key.privateKey),
    ];
    const answers = await Promise.all(cases.map((c) => checkMeasurementAsync(c, registered, now)));
    expect(answers).toEqual(cases.map((c) => checkMeasurement(c, registered, now)));
    expect(answers.map((a) => (a.ok ? 'ok' : a.code))).toEqual([
      'ok',
      'LOCUS_ERR_MEASUREMENT_STALE',
      'LOCUS_ERR_MEASUREMENT_STALE',
      'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK',
      'LOCUS_ERR_MEASUREMENT_SIGNATURE',
      'LOCUS_ERR_MEASUREMENT_SIGNATURE',
      'LOCUS_ERR_MEASUREMENT_SIGNATURE',
      'LOCUS_ERR_MEASUREMENT_SIGNATURE',
    ]);
  });
});
