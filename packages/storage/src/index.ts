/**
 * @locus/storage — Kysely repositories and migrations over SQLite (embedded default), PGlite
 * and PostgreSQL. Only src/dialects import a driver.
 */
export * from './schema.js';
export * from './telemetry-schema.js';
export * from './storage.js';
export { openStorage, type OpenOptions } from './open.js';
export { openSqliteKysely, SQLITE_SERVER_PRAGMAS, writerThreadOf } from './dialects/sqlite.js';
export { WriterThreadError, type SqliteWriterThread } from './dialects/sqlite-writer.js';
export { DEFAULT_POSTGRES_POOL, listenPostgres, type PostgresChannel } from './dialects/postgres.js';
export { migrateToLatest, MigrationError, LATEST_MIGRATION, MIGRATION_NAMES } from './migrate.js';
export * from './repos/orgs.js';
export * from './repos/tokens.js';
export * from './repos/landmarks.js';
export * from './repos/nodes.js';
export * from './repos/refusal.js';
export * from './repos/measurements.js';
export * from './repos/verdicts.js';
export * from './repos/enrollment.js';
export * from './repos/telemetry.js';
export * from './repos/gpu-samples.js';
export * from './repos/direct-batches.js';
export * from './repos/zones.js';
export * from './repos/alerts.js';
export * from './repos/reports.js';
export * from './repos/leases.js';
export * from './repos/uptime.js';
export { groupBy } from './repos/slices.js';
export { orderedId } from './repos/ordered-id.js';
