import { resolve } from 'node:path';
import { DirectoryError } from '@locus/protocol';
import { StorageOpenError } from '@locus/storage';
import type { Io } from '../io.js';
import { CliError, usageError } from '../errors.js';

export interface DatabaseChoice {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
}

export const DATABASE_HELP = `  --data-dir DIR       where the embedded SQLite database lives (default ./.locus-data)
  --database-url URL   use this database instead: postgres://…, sqlite:PATH or pglite:[DIR]
                       (default: $LOCUS_DATABASE_URL, else SQLite in the data dir)`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** LOCUS_LOG_LEVEL in a command's help: what serverLogger logs. */
export const LOG_LEVEL_HELP = `  LOCUS_LOG_LEVEL      what the server logs to stderr as JSON lines, besides the lines of this
                       command: warn (default: warnings and errors, such as a request that
                       failed with a 500, a lost database connection or a failed background
                       task), error, info (also every request and start-up step), debug,
                       trace or silent`;

/**
 * The server's own log (Fastify's pino): JSON lines on the command's stderr, at LOCUS_LOG_LEVEL
 * (default warn), each with its level by name and an ISO time.
 */
export function serverLogger(command: string, io: Io): object {
  const level = (io.env.LOCUS_LOG_LEVEL ?? 'warn').trim().toLowerCase();
  if (!LOG_LEVELS.includes(level)) throw usageError(`${command}: LOCUS_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (it is "${io.env.LOCUS_LOG_LEVEL}")`);
  return {
    level,
    stream: { write: (line: string) => io.stderr(line) },
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
  };
}

/** The least length of LOCUS_ADMIN_TOKEN (a made one has 49 characters). */
export const ADMIN_TOKEN_MIN_CHARS = 16;

/**
 * LOCUS_ADMIN_TOKEN (undefined when unset or empty), refused when short enough to guess: it is
 * the owner token of the default organization, on a server that listens on every address.
 */
export function adminTokenOf(command: string, io: Io): string | undefined {
  const token = io.env.LOCUS_ADMIN_TOKEN || undefined;
  if (token !== undefined && token.length < ADMIN_TOKEN_MIN_CHARS) {
    throw usageError(
      `${command}: LOCUS_ADMIN_TOKEN has ${token.length} character${token.length === 1 ? '' : 's'}; an owner token needs at least ${ADMIN_TOKEN_MIN_CHARS}, or whoever guesses it owns the fleet`,
      'Use a random one (openssl rand -base64 32), or leave it unset: the first start then makes one and prints it.',
    );
  }
  return token;
}

export function databaseChoice(command: string, io: Io, flags: { 'data-dir'?: string | undefined; 'database-url'?: string | undefined }): DatabaseChoice {
  const databaseUrl = flags['database-url'] ?? io.env.LOCUS_DATABASE_URL;
  if (databaseUrl !== undefined && !/^(postgres(ql)?:\/\/|sqlite:|pglite:)/.test(databaseUrl)) {
    throw usageError(`${command}: database URL must start with postgres://, sqlite: or pglite:, got "${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}"`);
  }
  return { dataDir: resolve(io.cwd, flags['data-dir'] ?? '.locus-data'), databaseUrl };
}

/**
 * A database that could not be opened or migrated, as LOCUS_ERR_DATABASE: why, and what to do
 * where that is known (a directory that cannot be made or used). Not for listen()'s errors.
 */
export function databaseFailure(command: string, db: DatabaseChoice, error: unknown): CliError {
  if (error instanceof DirectoryError) {
    return new CliError('LOCUS_ERR_DATABASE', `${command}: cannot open the database: ${error.message}`, db.databaseUrl ? 'Choose a database path you can write to.' : 'Choose a data dir you can write to: --data-dir DIR.');
  }
  if (error instanceof StorageOpenError) return new CliError('LOCUS_ERR_DATABASE', `${command}: cannot open the database: ${error.message}`, error.hint);
  const message = error instanceof Error ? error.message : String(error);
  return new CliError('LOCUS_ERR_DATABASE', `${command}: cannot open the database (${db.databaseUrl ? 'from --database-url' : db.dataDir}): ${message}`);
}
