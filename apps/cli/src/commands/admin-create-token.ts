import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { databaseSpec, DEFAULT_ORG, hashToken, newToken, systemClock, TOKEN_MAX_LIFETIME_S, TOKEN_NAME_MAX_CHARS } from '@locus/server';
import { forbiddenNameCharacter } from '@locus/protocol';
import { migrateToLatest, openStorage, OrgRepo, ROLES, TokenRepo, type Role } from '@locus/storage';
import { CliError, usageError } from '../errors.js';
import type { Io } from '../io.js';
import { parseCommandArgs } from './args.js';
import { DATABASE_HELP, databaseChoice, databaseFailure } from './server-options.js';

const NAME = 'locus admin create-token';

export const HELP = `Usage: ${NAME} --name NAME --role ${ROLES.join('|')} [--org ID [--create-org]]
       [--expires-in DURATION] [--data-dir DIR] [--database-url URL]

Makes an API token directly in the server's database (no server needs to run): for the first
owner of a new organization, for automation, or to regain access. Prints the token alone on
stdout, once; only its SHA-256 is stored. Inside an organization, owners and admins can also
make and revoke tokens through the API (POST /api/v1/tokens). A SQLite data dir must hold a
server's database already (\`locus start\` keeps its server's in DIR/server; \`locus server
migrate\` makes one).

Options:
  --name NAME          who or what holds the token (a person, or a system such as "grafana")
  --role ROLE          owner and admin manage; viewer reads the fleet; auditor reads verdicts,
                       proofs, landmarks and signed reports only
  --org ID             the organization (default "${DEFAULT_ORG}", the server operator's)
  --create-org         make the organization if it does not exist (otherwise that is an error,
                       so that a typo does not make a new one)
  --expires-in D       the token stops working after D: a number with s, m, h or d (e.g. 90d),
                       at most 1825d; default: never
${DATABASE_HELP}
  -h, --help           show this help
`;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration such as 90d or 12h; undefined if malformed. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^(\d{1,6})([smhd])$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

/**
 * Refuses a data dir that holds no server's database: a token made there would be made in a new,
 * empty database that no server reads (and every request with it refused), where the command
 * would say it worked. `locus start` keeps its server's database in DIR/server.
 */
function unusedDataDir(dataDir: string): void {
  if (existsSync(join(dataDir, 'locus.db'))) return;
  const nested = join(dataDir, 'server');
  const hint = existsSync(join(nested, 'locus.db'))
    ? `That is \`locus start\`'s data dir; its server's database is in ${nested}: --data-dir ${nested}`
    : 'Name the data dir a server runs on (--data-dir, or --database-url); `locus server migrate --data-dir DIR` makes a new database there.';
  throw new CliError('LOCUS_ERR_DATABASE', `${NAME}: no server database in ${dataDir} (no locus.db there)`, hint);
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, {
    name: { type: 'string' },
    role: { type: 'string' },
    org: { type: 'string' },
    'create-org': { type: 'boolean' },
    'expires-in': { type: 'string' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  if (!v.name?.trim()) throw usageError(`${NAME}: --name is required`, 'Name the person or system that will hold the token.');
  // As the API takes them: a token made here is listed and managed there.
  if (v.name.length > TOKEN_NAME_MAX_CHARS) throw usageError(`${NAME}: --name has ${v.name.length} characters; at most ${TOKEN_NAME_MAX_CHARS}`);
  const forbidden = forbiddenNameCharacter(v.name);
  if (forbidden) throw usageError(`${NAME}: --name holds ${forbidden}, a control character, which a name may not hold`);
  if (!ROLES.includes(v.role as Role)) throw usageError(`${NAME}: --role must be one of ${ROLES.join(', ')}${v.role === undefined ? '' : `, got "${v.role}"`}`);
  const orgId = v.org ?? DEFAULT_ORG;
  if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(orgId)) throw usageError(`${NAME}: --org "${orgId}" is not an organization id (lowercase letters, digits, '.', '_' and '-', at most 63)`);
  const expiresMs = v['expires-in'] === undefined ? undefined : parseDurationMs(v['expires-in']);
  if (v['expires-in'] !== undefined && (expiresMs === undefined || expiresMs < 60_000 || expiresMs > TOKEN_MAX_LIFETIME_S * 1000)) {
    throw usageError(`${NAME}: --expires-in "${v['expires-in']}" is not a duration from a minute to ${TOKEN_MAX_LIFETIME_S / 86_400}d (e.g. 30m, 12h, 90d)`);
  }
  const choice = databaseChoice(NAME, io, v);
  const spec = databaseSpec(choice);
  if (choice.databaseUrl === undefined) unusedDataDir(choice.dataDir);

  let storage;
  try {
    storage = await openStorage(spec);
    await migrateToLatest(storage);
  } catch (error) {
    await storage?.close();
    throw databaseFailure(NAME, choice, error);
  }
  try {
    const orgs = new OrgRepo(storage.db);
    const now = systemClock.now().getTime();
    if (orgId === DEFAULT_ORG) await orgs.ensure({ id: DEFAULT_ORG, name: 'Default organization', created_at: now });
    else if (!(await orgs.get(orgId))) {
      if (!v['create-org']) throw new CliError('LOCUS_ERR_INPUT_REFERENCE', `${NAME}: no organization "${orgId}" in ${storage.description}`, 'Add --create-org to make it.');
      await orgs.create({ id: orgId, name: orgId, created_at: now });
      io.stderr(`made organization "${orgId}"\n`);
    }
    const token = newToken();
    const expiresAt = expiresMs === undefined ? null : now + expiresMs;
    await new TokenRepo(storage.db).create({ id: randomUUID(), org_id: orgId, name: v.name.trim(), role: v.role as Role, hash: hashToken(token), created_at: now, last_used_at: null, expires_at: expiresAt });
    io.stderr(`made a${v.role === 'owner' || v.role === 'admin' || v.role === 'auditor' ? 'n' : ''} ${v.role} token "${v.name.trim()}" for organization "${orgId}"${expiresAt === null ? '' : `, expiring ${new Date(expiresAt).toISOString()}`}; it is shown once, below: keep it in a secret store\n`);
    io.stdout(`${token}\n`);
    return 0;
  } finally {
    await storage.close();
  }
}
