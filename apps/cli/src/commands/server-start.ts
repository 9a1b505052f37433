import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { startServer } from '@locus/server';
import { CliError } from '../errors.js';
import { dashboardDir } from '../paths.js';
import type { Io } from '../io.js';
import { parseCommandArgs } from './args.js';
import { numberOption } from './options.js';
import { DATABASE_HELP, databaseChoice } from './server-options.js';

const NAME = 'locus server start';

export const HELP = `Usage: ${NAME} [--port 8080] [--host 0.0.0.0] [--data-dir DIR] [--database-url URL]

Runs the Locus fleet server: landmarks deliver signed measurements to it, it keeps each
node's location verdict and history, and serves proofs, the API (/api/v1) and its OpenAPI
description (/openapi.json, browsable at /docs). Migrates the database first.

Options:
  --host ADDR          address to listen on (default 0.0.0.0)
  --port PORT          port (default $PORT, else 8080)
${DATABASE_HELP}
  -h, --help           show this help

Environment:
  LOCUS_ADMIN_TOKEN    owner token of the default organization, for automation. Without it,
                       the first start makes one and prints it once.
  LOCUS_DATABASE_URL   as --database-url

Stops cleanly on SIGINT or SIGTERM.
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, {
    host: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const port = numberOption(NAME, 'port', v.port ?? io.env.PORT ?? '8080', 0, 65535, 'a port');
  const db = databaseChoice(NAME, io, v);
  const adminToken = io.env.LOCUS_ADMIN_TOKEN || undefined;
  let server;
  try {
    server = await startServer({ host: v.host ?? '0.0.0.0', port, ...db, adminToken, world: naturalEarthWorld(), dashboardDir: dashboardDir(io) });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES') throw new CliError('LOCUS_ERR_LISTEN', `${NAME}: cannot listen on ${v.host ?? '0.0.0.0'}:${port}: ${e.message}`);
    throw new CliError('LOCUS_ERR_DATABASE', `${NAME}: cannot open the database (${db.databaseUrl ? 'from --database-url' : db.dataDir}): ${e.message}`);
  }
  const log = (line: string) => io.stderr(`${new Date().toISOString()} ${line}\n`);
  log(`Locus server listening on ${server.url} (database ${server.storage.description}); dashboard at ${server.url}/, API docs at ${server.url}/docs`);
  if (server.generatedToken) {
    io.stdout(`admin token (shown once; keep it, or set LOCUS_ADMIN_TOKEN): ${server.generatedToken}\n`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  log('stopping');
  await server.close();
  return 0;
}
