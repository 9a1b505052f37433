import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LandmarkInfo, ProtocolErrorCode, SignedMeasurement } from '@locus/protocol';
import type { DeliveryEvent } from './delivery.js';
import { LANDMARK_VERSION } from './version.js';

/** A landmark's own Prometheus metrics (`locus landmark serve --metrics`): what it measures, and how its deliveries go. */
export interface LandmarkMetrics {
  readonly registry: Registry;
  measured(signed: SignedMeasurement): void;
  problem(code: ProtocolErrorCode): void;
  delivery(event: DeliveryEvent): void;
}

export interface LandmarkMetricSources {
  /** Hosts connected and past their hello. */
  readonly hosts: () => number;
  /** Measurements waiting for the server; undefined without delivery. */
  readonly queued?: () => number;
  /** Wall clock, ms since the epoch. */
  readonly now: () => number;
}

/** Minimum RTTs, in seconds: a host beside the landmark to one across the world. */
const RTT_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5];

const DELIVERY_RESULTS = ['delivered', 'refused', 'rejected', 'dropped'] as const;

/** The codes a landmark reports of hosts: what a host session ends with, and LOCUS_ERR_PROTO_BUSY at the connection limit. */
const HOST_PROBLEM_CODES: readonly ProtocolErrorCode[] = ['LOCUS_ERR_PROTO_MALFORMED', 'LOCUS_ERR_PROTO_VERSION', 'LOCUS_ERR_PROTO_SEQUENCE', 'LOCUS_ERR_PROTO_SIGNATURE', 'LOCUS_ERR_PROTO_TIMEOUT', 'LOCUS_ERR_PROTO_BUSY'];

export function createLandmarkMetrics(info: LandmarkInfo, sources: LandmarkMetricSources): LandmarkMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'locus_landmark_info',
    help: 'The landmark: its id, the country it stands in, its public key and the Locus version it runs (always 1).',
    labelNames: ['landmark_id', 'country', 'public_key', 'version'],
    registers: [registry],
  }).set({ landmark_id: info.id, country: info.country, public_key: info.publicKey, version: LANDMARK_VERSION }, 1);
  new Gauge({
    name: 'locus_landmark_hosts_connected',
    help: 'Hosts connected and past their hello.',
    registers: [registry],
    collect() {
      this.set(sources.hosts());
    },
  });
  const measurements = new Counter({ name: 'locus_landmark_measurements_total', help: 'Measurements signed.', registers: [registry] });
  const rtt = new Histogram({ name: 'locus_landmark_min_rtt_seconds', help: 'The minimum RTT of each measurement signed.', buckets: RTT_BUCKETS, registers: [registry] });
  const problems = new Counter({
    name: 'locus_landmark_host_problems_total',
    help: 'Hosts refused or cut off, by protocol error code (unanswered or late rounds, bad signatures, too many hosts).',
    labelNames: ['code'],
    registers: [registry],
  });
  // Every code a host session or the connection limit reports, at 0 from the start: increase() misses the first event of a series born at 1.
  for (const code of HOST_PROBLEM_CODES) problems.inc({ code }, 0);
  const delivered = new Counter({
    name: 'locus_landmark_delivery_measurements_total',
    help: 'Measurements handed to the server, by result: delivered; refused one by one in an answer that took the batch; rejected, sent alone, by the schema of the server (400 LOCUS_ERR_VALIDATION); dropped (the queue full, or stopping without a spool).',
    labelNames: ['result'],
    registers: [registry],
  });
  for (const result of DELIVERY_RESULTS) delivered.inc({ result }, 0);
  const retries = new Counter({ name: 'locus_landmark_delivery_retries_total', help: 'Deliveries the server did not answer or answered 408, 429 or 5xx, to be tried again.', registers: [registry] });
  const held = new Gauge({ name: 'locus_landmark_delivery_held', help: "1 while the server refuses every delivery alike (the measurements' protocol version, a landmark newer than its server; an HTTP 401, 403, 404, 405 or 413 of the request, a wrong --server or a proxy's rule) or this landmark (not registered yet): they wait, nothing dropped but past the queue bound, tried again every minute or so; else 0. The log says why.", registers: [registry] });
  held.set(0);
  const lastDelivered = new Gauge({ name: 'locus_landmark_last_delivery_timestamp_seconds', help: 'When the server last took a batch (0: not since start).', registers: [registry] });
  lastDelivered.set(0);
  if (sources.queued) {
    const queued = sources.queued;
    new Gauge({
      name: 'locus_landmark_delivery_queue_measurements',
      help: 'Measurements waiting for the server.',
      registers: [registry],
      collect() {
        this.set(queued());
      },
    });
  }

  return {
    registry,
    measured(signed) {
      measurements.inc();
      rtt.observe(signed.measurement.minRttMs / 1000);
    },
    problem: (code) => problems.inc({ code }),
    delivery(event) {
      switch (event.kind) {
        case 'delivered':
        case 'refused':
          lastDelivered.set(sources.now() / 1000);
          held.set(0);
          return delivered.inc({ result: event.kind }, event.count);
        case 'held':
          return held.set(1);
        case 'rejected':
        case 'dropped':
          return delivered.inc({ result: event.kind }, event.count);
        case 'retrying':
          return retries.inc();
        case 'split':
        case 'kept':
        case 'restored':
          return;
      }
    },
  };
}
