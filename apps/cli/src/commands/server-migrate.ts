import { databaseSpec } from '@locus/server';
import { migrateToLatest, openStorage } from '@locus/storage';
import type { Io } from '../io.js';
import { parseCommandArgs } from './args.js';
import { DATABASE_HELP, databaseChoice, databaseFailure } from './server-options.js';

const NAME = 'locus server migrate';

export const HELP = `Usage: ${NAME} [--data-dir DIR] [--database-url URL]

Brings the database schema up to date and says what it applied. Safe to run while other
servers are starting: migrations take a lock. \`locus server start\` migrates on its own.

Options:
${DATABASE_HELP}
  -h, --help           show this help
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, { 'data-dir': { type: 'string' }, 'database-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const db = databaseChoice(NAME, io, v);
  const spec = databaseSpec(db);
  let storage;
  try {
    storage = await openStorage(spec);
    const applied = await migrateToLatest(storage);
    io.stdout(applied.length === 0 ? `${storage.description}: already up to date\n` : `${storage.description}: applied ${applied.join(', ')}\n`);
    return 0;
  } catch (error) {
    throw databaseFailure(NAME, db, error);
  } finally {
    await storage?.close();
  }
}
