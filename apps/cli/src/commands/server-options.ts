import { resolve } from 'node:path';
import type { Io } from '../io.js';
import { usageError } from '../errors.js';

export interface DatabaseChoice {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
}

export const DATABASE_HELP = `  --data-dir DIR       where the embedded SQLite database lives (default ./.locus-data)
  --database-url URL   use this database instead: postgres://…, sqlite:PATH or pglite:[DIR]
                       (default: $LOCUS_DATABASE_URL, else SQLite in the data dir)`;

export function databaseChoice(command: string, io: Io, flags: { 'data-dir'?: string | undefined; 'database-url'?: string | undefined }): DatabaseChoice {
  const databaseUrl = flags['database-url'] ?? io.env.LOCUS_DATABASE_URL;
  if (databaseUrl !== undefined && !/^(postgres(ql)?:\/\/|sqlite:|pglite:)/.test(databaseUrl)) {
    throw usageError(`${command}: database URL must start with postgres://, sqlite: or pglite:, got "${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}"`);
  }
  return { dataDir: resolve(io.cwd, flags['data-dir'] ?? '.locus-data'), databaseUrl };
}
