import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, generateSigningKey, signMeasurement } from '@locus/protocol';
import { createLandmarkMetrics } from './metrics.js';
import { LANDMARK_VERSION } from './version.js';

const key = generateSigningKey();
const info = { id: 'fra-1', name: 'Frankfurt', country: 'DE', lat: 50.11, lon: 8.68, publicKey: key.publicKey };
const measured = (minRttMs: number) =>
  signMeasurement(
    { v: PROTOCOL_VERSION, landmarkId: 'fra-1', landmarkAt: { lat: 50.11, lon: 8.68 }, hostKey: key.publicKey, noncesHash: 'A'.repeat(43), rounds: 10, minRttMs, medianRttMs: minRttMs, measuredAt: '2026-11-29T03:00:00.000Z' },
    key.privateKey,
  );
/** The value of one series in an exposition, or undefined. */
const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('landmark metrics', () => {
  it('counts measurements and their RTTs, host problems by code, and deliveries by result', async () => {
    let hosts = 3;
    let queued = 7;
    const m = createLandmarkMetrics(info, { hosts: () => hosts, queued: () => queued, now: () => 1_764_400_000_000 });
    m.measured(measured(0.8));
    m.measured(measured(45));
    m.problem('LOCUS_ERR_PROTO_TIMEOUT');
    m.problem('LOCUS_ERR_PROTO_TIMEOUT');
    m.problem('LOCUS_ERR_PROTO_BUSY');
    m.delivery({ kind: 'delivered', count: 90 });
    m.delivery({ kind: 'refused', count: 10, of: 100, reasons: [] });
    m.delivery({ kind: 'retrying', count: 5, inMs: 100, why: 'HTTP 503' });
    m.delivery({ kind: 'dropped', count: 2, why: 'queue over 2' });
    hosts = 2;
    queued = 0;
    const text = await m.registry.metrics();
    expect(value(text, `locus_landmark_info{landmark_id="fra-1",country="DE",public_key="${key.publicKey}",version="${LANDMARK_VERSION}"}`)).toBe(1);
    expect(value(text, 'locus_landmark_hosts_connected')).toBe(2);
    expect(value(text, 'locus_landmark_measurements_total')).toBe(2);
    expect(value(text, 'locus_landmark_min_rtt_seconds_bucket{le="0.001"}')).toBe(1);
    expect(value(text, 'locus_landmark_min_rtt_seconds_bucket{le="0.05"}')).toBe(2);
    expect(value(text, 'locus_landmark_min_rtt_seconds_sum')).toBeCloseTo(0.0458, 6);
    expect(value(text, 'locus_landmark_host_problems_total{code="LOCUS_ERR_PROTO_TIMEOUT"}')).toBe(2);
    expect(value(text, 'locus_landmark_host_problems_total{code="LOCUS_ERR_PROTO_BUSY"}')).toBe(1);
    // The codes not seen yet are there at 0, so that increase() counts their first.
    expect(value(text, 'locus_landmark_host_problems_total{code="LOCUS_ERR_PROTO_SIGNATURE"}')).toBe(0);
    expect(value(text, 'locus_landmark_delivery_measurements_total{result="delivered"}')).toBe(90);
    expect(value(text, 'locus_landmark_delivery_measurements_total{result="refused"}')).toBe(10);
    expect(value(text, 'locus_landmark_delivery_measurements_total{result="rejected"}')).toBe(0);
    expect(value(text, 'locus_landmark_delivery_measurements_total{result="dropped"}')).toBe(2);
    expect(value(text, 'locus_landmark_delivery_retries_total')).toBe(1);
    expect(value(text, 'locus_landmark_delivery_queue_measurements')).toBe(0);
    expect(value(text, 'locus_landmark_last_delivery_timestamp_seconds')).toBe(1_764_400_000);
    expect(value(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(value(text, 'locus_landmark_delivery_held')).toBe(0);
  });

  it.each([
    ['version', 'LOCUS_ERR_PROTO_VERSION: …'],
    ['refused', 'HTTP 401 …'],
    ['unregistered', 'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK: …'],
  ] as const)('says deliveries are held (%s) until the server takes a batch', async (cause, why) => {
    const m = createLandmarkMetrics(info, { hosts: () => 0, now: () => 0 });
    const held = async () => value(await m.registry.metrics(), 'locus_landmark_delivery_held');
    m.delivery({ kind: 'held', cause, queued: 4, inMs: 60_000, why });
    expect(await held()).toBe(1);
    m.delivery({ kind: 'retrying', count: 4, inMs: 100, why: 'HTTP 503' });
    expect(await held()).toBe(1);
    m.delivery({ kind: 'refused', count: 1, of: 4, reasons: [] });
    expect(await held()).toBe(0);
  });

  it('has no queue without delivery, and no delivery yet reads 0', async () => {
    const text = await createLandmarkMetrics(info, { hosts: () => 0, now: () => 0 }).registry.metrics();
    expect(text).not.toContain('locus_landmark_delivery_queue_measurements');
    expect(value(text, 'locus_landmark_last_delivery_timestamp_seconds')).toBe(0);
  });
});
