import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The background loop's tasks, as locus_background_task_seconds names them. */
export const BACKGROUND_TASKS = ['alert-sweep', 'silence-check', 'verdict-expiry', 'webhooks', 'retention'] as const;
export type BackgroundTask = (typeof BACKGROUND_TASKS)[number];

/**
 * The server's own Prometheus metrics, one registry per app (so that two apps in one process,
 * as in tests, do not share counters). No label carries an organization, node or token.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({ name: 'locus_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code.', labelNames: ['method', 'route', 'status_code'] as const, registers: [this.registry] });
  readonly httpDuration = new Histogram({
    name: 'locus_http_request_duration_seconds',
    help: 'Time from request to response, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly ingestBatches = new Counter({ name: 'locus_ingest_batches_total', help: 'Agent batches by result: stored, duplicate, overloaded (answered 429), or refused (answered another 4xx: unsigned, not enrolled, invalid, too large).', labelNames: ['result'] as const, registers: [this.registry] });
  readonly ingestGpuSamples = new Counter({ name: 'locus_ingest_gpu_samples_total', help: 'GPU samples stored (one per GPU per sampling instant).', registers: [this.registry] });
  readonly ingestEvents = new Counter({ name: 'locus_ingest_events_total', help: 'Agent events stored (Xid, health changes, inventory).', registers: [this.registry] });
  readonly ingestTransactionSeconds = new Histogram({
    name: 'locus_ingest_transaction_seconds',
    help: "Time of each of the ingest writer's transactions (a group of batches stored together), by path: batch-store (samples alone) or repositories (with events).",
    labelNames: ['path'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly ingestTransactionBatches = new Histogram({ name: 'locus_ingest_transaction_batches', help: "Batches in each of the ingest writer's transactions (group commit).", buckets: [1, 2, 4, 8, 16, 32, 64], registers: [this.registry] });
  readonly ingestInFlight = new Gauge({ name: 'locus_ingest_in_flight', help: 'Agent batches being received or stored now.', registers: [this.registry] });
  readonly measurements = new Counter({ name: 'locus_measurements_total', help: 'Signed landmark measurements by result: accepted, duplicate, rejected.', labelNames: ['result'] as const, registers: [this.registry] });
  readonly alertTransitions = new Counter({ name: 'locus_alert_transitions_total', help: 'Alerts fired, resolved and changed in severity, by kind and change.', labelNames: ['kind', 'change'] as const, registers: [this.registry] });
  readonly backgroundSeconds = new Histogram({
    name: 'locus_background_task_seconds',
    help: "Time of each run of the background loop's tasks (every 15 s): alert-sweep (every node's alerts against its facts, every 5 min by default) or, in the runs between, silence-check (the nodes whose silence changed); verdict-expiry (nodes due to be judged again, bounded); webhooks (due deliveries); retention (expired telemetry, bounded).",
    labelNames: ['task'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly backgroundLease = new Gauge({
    name: 'locus_background_lease',
    help: 'Whether this server held the lease of a fleet-wide background task (alert-sweep, which covers silence-check too; retention) at its last run: 1 on the one replica of a shared database that runs it, 0 on the others.',
    labelNames: ['task'] as const,
    registers: [this.registry],
  });
  readonly verdictsDue = new Gauge({
    name: 'locus_verdicts_due',
    help: "Nodes of the fleet (every replica's) still due to be judged again after this server's last verdict-expiry run: a verdict that lost a bound, or a node measured within the verdict interval.",
    registers: [this.registry],
  });
  readonly verdictsLag = new Gauge({
    name: 'locus_verdicts_due_lag_seconds',
    help: 'How long the first of those has been due (0: none). Nodes fall due all the time and are judged within a loop run or two (15 s each); a lag that grows or stays over a minute means the servers do not keep up with the landmarks: raise --verdict-interval-seconds, add replicas, or check the database.',
    registers: [this.registry],
  });
  readonly measurementsCompacted = new Counter({
    name: 'locus_measurements_compacted_total',
    help: 'Landmark measurements past the verdict window that compaction deleted (each landmark\'s least per host and 10-minute bucket, and what stored verdicts rest on, are kept).',
    registers: [this.registry],
  });
  readonly compactionBehind = new Gauge({
    name: 'locus_measurement_compaction_behind_seconds',
    help: "How much of the measurements past the verdict window the retention task has yet to compact, after its last run on this server (0 on replicas that do not hold it, or when compaction is off). A bucket's worth (600) comes and goes; more that stays means the measurements table grows about ten times faster than it should: check the database and the retention task's time.",
    registers: [this.registry],
  });
  readonly upSince = new Gauge({
    name: 'locus_servers_up_since_timestamp_seconds',
    help: "Since when the fleet's servers (any replica) have been up without a break of over a minute, as this server last noted it: until they have been up for the silence time (and at least 5 min, the longest an agent waits between attempts), no node-silent alert fires, as agents could report to no server during the break.",
    registers: [this.registry],
  });
  readonly webhookAttempts = new Counter({ name: 'locus_webhook_attempts_total', help: 'Webhook delivery attempts by outcome: delivered, retry (will be tried again), failed (gave up).', labelNames: ['outcome'] as const, registers: [this.registry] });

  constructor(version: string) {
    new Gauge({ name: 'locus_build_info', help: 'Always 1; the labels say which Locus this is.', labelNames: ['version'] as const, registers: [this.registry] }).set({ version }, 1);
    collectDefaultMetrics({ register: this.registry });
    // Every result from the start, at 0: increase() over a series that is born at 1 misses that first event (an alert on one failed delivery after a restart would never fire).
    for (const result of ['stored', 'duplicate', 'overloaded', 'refused']) this.ingestBatches.inc({ result }, 0);
    for (const result of ['accepted', 'duplicate', 'rejected']) this.measurements.inc({ result }, 0);
    for (const outcome of ['delivered', 'retry', 'failed']) this.webhookAttempts.inc({ outcome }, 0);
  }
}
