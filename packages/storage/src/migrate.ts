import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import { initial } from './migrations/0001-initial.js';
import { agents } from './migrations/0002-agents.js';
import { zones } from './migrations/0003-zones.js';
import { alerts } from './migrations/0004-alerts.js';
import { reports } from './migrations/0005-reports.js';
import { tokenExpiry } from './migrations/0007-token-expiry.js';
import { verdictNotes } from './migrations/0008-verdict-notes.js';
import { telemetry } from './migrations/0009-telemetry.js';
import { nodeAddresses } from './migrations/0010-node-addresses.js';
import { nodeHealth } from './migrations/0011-node-health.js';
import { landmarkRevocation } from './migrations/0012-landmark-revocation.js';
import { alertsByNode } from './migrations/0013-alerts-by-node.js';
import { backgroundLeases } from './migrations/0014-background-leases.js';
import { serviceUptime } from './migrations/0015-service-uptime.js';
import { zoneMuteRules } from './migrations/0016-zone-mute-rules.js';
import { webhookGroups } from './migrations/0017-webhook-groups.js';
import { verdictExpiry } from './migrations/0018-verdict-expiry.js';
import { measurementRetention } from './migrations/0019-measurement-retention.js';
import { nodeJudgements } from './migrations/0020-node-judgements.js';
import { measurementCompaction } from './migrations/0021-measurement-compaction.js';
import { measurementBuckets } from './migrations/0022-measurement-buckets.js';
import { alertUntold } from './migrations/0023-alert-untold.js';
import { landmarkLastMeasurement } from './migrations/0024-landmark-last-measurement.js';
import { landmarkLastRefusal } from './migrations/0025-landmark-last-refusal.js';
import { nodeLastRefusal } from './migrations/0026-node-last-refusal.js';
import { nodeAgentVersion } from './migrations/0027-node-agent-version.js';
import { gpuMissingSince } from './migrations/0028-gpu-missing-since.js';
import { landmarkVersion } from './migrations/0029-landmark-version.js';
import { alertUntoldResolution } from './migrations/0030-alert-untold-resolution.js';
import { deliveriesPendingByAlert } from './migrations/0031-deliveries-pending-by-alert.js';
import { deliveryLog } from './migrations/0032-delivery-log.js';
import { judgedRecord } from './migrations/0033-judged-record.js';
import type { Storage } from './storage.js';

/** Every migration, in order. Names sort in application order and are never renamed. */
export const ALL_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-agents': agents,
  '0003-zones': zones,
  '0004-alerts': alerts,
  '0005-reports': reports,
  '0007-token-expiry': tokenExpiry,
  '0008-verdict-notes': verdictNotes,
  '0009-telemetry': telemetry,
  '0010-node-addresses': nodeAddresses,
  '0011-node-health': nodeHealth,
  '0012-landmark-revocation': landmarkRevocation,
  '0013-alerts-by-node': alertsByNode,
  '0014-background-leases': backgroundLeases,
  '0015-service-uptime': serviceUptime,
  '0016-zone-mute-rules': zoneMuteRules,
  '0017-webhook-groups': webhookGroups,
  '0018-verdict-expiry': verdictExpiry,
  '0019-measurement-retention': measurementRetention,
  '0020-node-judgements': nodeJudgements,
  '0021-measurement-compaction': measurementCompaction,
  '0022-measurement-buckets': measurementBuckets,
  '0023-alert-untold': alertUntold,
  '0024-landmark-last-measurement': landmarkLastMeasurement,
  '0025-landmark-last-refusal': landmarkLastRefusal,
  '0026-node-last-refusal': nodeLastRefusal,
  '0027-node-agent-version': nodeAgentVersion,
  '0028-gpu-missing-since': gpuMissingSince,
  '0029-landmark-version': landmarkVersion,
  '0030-alert-untold-resolution': alertUntoldResolution,
  '0031-deliveries-pending-by-alert': deliveriesPendingByAlert,
  '0032-delivery-log': deliveryLog,
  '0033-judged-record': judgedRecord,
};

const provider: MigrationProvider = { getMigrations: async () => ALL_MIGRATIONS };

export class MigrationError extends Error {}

/**
 * Brings the schema up to date; safe to run from several servers at once (Kysely takes a
 * lock). Returns the names of the migrations it applied.
 */
export async function migrateToLatest(storage: Storage): Promise<string[]> {
  const { error, results } = await new Migrator({ db: storage.db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const message = error instanceof Error ? error.message : String(error);
    // No migration failed when none could run: the database could not be reached or locked.
    throw new MigrationError(failed === undefined ? message : `migration ${failed} failed: ${message}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export const MIGRATION_NAMES: readonly string[] = Object.keys(ALL_MIGRATIONS);
export const LATEST_MIGRATION = MIGRATION_NAMES.at(-1)!;
