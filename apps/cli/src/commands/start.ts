import { resolve } from 'node:path';
import { countryName } from '@locus/geo';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { CliError, listenFailure } from '../errors.js';
import { directoryFailure } from '../files.js';
import { dashboardDir } from '../paths.js';
import { printable, type Io } from '../io.js';
import { WORLD_HOSTS, WORLD_LANDMARKS } from '../world/places.js';
import { startLiveWorld, WorldRunningError, WorldTokenError, type LiveWorld } from '../world/world.js';
import { untilStopped } from '../signals.js';
import { parseCommandArgs } from './args.js';
import { portOption } from './options.js';
import { adminTokenOf, LOG_LEVEL_HELP, serverLogger } from './server-options.js';

const NAME = 'locus start';

export const HELP = `Usage: ${NAME} [--port 8080] [--host 127.0.0.1] [--data-dir .locus-data]

Runs a live Locus world in one process, on embedded defaults (what \`npm start\` runs): the
server on SQLite, ${WORLD_LANDMARKS.length} landmarks at real data-centre cities (keys made on first start),
and ${WORLD_HOSTS.length} simulated GPU hosts that enroll, report and answer the landmarks through the real
protocol. Each host↔landmark link is delayed as the host's true place implies; one host was
smuggled to Shenzhen and claims Singapore, padding its delays; some GPUs carry faults.
The first verdicts appear within seconds; a table of them is printed as they come.

Options:
  --port PORT      server port (default $PORT, else 8080)
  --host ADDR      address to listen on (default 127.0.0.1)
  --data-dir DIR   where everything is kept (default ./.locus-data); a second start reuses it
  -h, --help       show this help

Environment:
  LOCUS_ADMIN_TOKEN    the owner token, at least 16 characters (else one is made on first
                       start and kept in the data dir; a data dir first started with
                       it needs it again)
${LOG_LEVEL_HELP}

Ctrl-C stops everything cleanly.
`;

interface VerdictView {
  measurements: number;
  verdict: { claim: string | null; restricted: string; radiusKm: number | null; possibleCountries: string[]; empty?: boolean };
}

async function summary(world: LiveWorld): Promise<string> {
  const rows = await Promise.all(
    world.hosts.map(async ({ host, nodeId }) => {
      const res = await world.server.app.inject({ method: 'GET', url: `/api/v1/nodes/${nodeId}/verdict`, headers: { authorization: `Bearer ${world.adminToken}` } });
      const where = `${host.truth.place}, ${countryName(host.truth.country)}${host.copiedTo ? ` + a copy in ${host.copiedTo.place}` : ''}`;
      if (res.statusCode !== 200) {
        // Said in its row, rather than stopping the world: the server's own words.
        const e = res.json() as { code?: string; message?: string };
        return [host.name, host.zone, host.claims, where, '-', `${e.code ?? `HTTP ${res.statusCode}`}: ${printable(e.message ?? '')}`, '', '', ''];
      }
      const v = res.json() as VerdictView;
      const countries = v.verdict.possibleCountries.slice(0, 4).join(' ') + (v.verdict.possibleCountries.length > 4 ? ' …' : '');
      return [host.name, host.zone, host.claims, where, String(v.measurements), v.verdict.restricted, v.verdict.claim ?? '-', v.verdict.radiusKm === null ? '-' : v.verdict.radiusKm.toFixed(0), countries];
    }),
  );
  const header = ['node', 'zone', 'claims', 'really in (only the demo knows)', 'meas.', 'restricted', 'claim', 'radius km', 'possible'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const zones = (await world.server.app.inject({ method: 'GET', url: '/api/v1/zones', headers: { authorization: `Bearer ${world.adminToken}` } })).json() as { zones: { name: string; members: number; restricted: string | null; claim: string | null }[] };
  // Zones an operator made over the API in this data directory before names were checked may hold control characters.
  const zoneLines = zones.zones.map((z) => `  ${printable(z.name).padEnd(26)} ${String(z.members).padStart(2)} node(s)  restricted ${z.restricted ?? '-'}, claim ${z.claim ?? '-'}`);
  return [line(header), ...rows.map(line), '', 'zones (excluded only when every member is):', ...zoneLines].join('\n');
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, { port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const port = portOption(NAME, v.port, io.env, '8080');
  const dataDir = resolve(io.cwd, v['data-dir'] ?? '.locus-data');
  const log = (line: string) => io.stderr(`${new Date().toISOString()} ${line}\n`);
  const logger = serverLogger(NAME, io);
  const adminToken = adminTokenOf(NAME, io);
  io.stdout(`Starting a live Locus world in ${dataDir} …\n`);
  let world: LiveWorld;
  try {
    world = await startLiveWorld({ dataDir, host: v.host ?? '127.0.0.1', port, adminToken, world: naturalEarthWorld(), log, dashboardDir: dashboardDir(io), logger });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new CliError('LOCUS_ERR_LISTEN', `${NAME}: port ${port} is in use`, 'Pick another: PORT=8081 npm start, or --port 8081.');
    if (error instanceof WorldRunningError) throw new CliError('LOCUS_ERR_CLI_USAGE', `${NAME}: ${error.message}`, 'Stop it first (Ctrl-C where it runs), or start another world beside it: --data-dir DIR --port 8081.');
    if (error instanceof WorldTokenError) throw new CliError('LOCUS_ERR_CLI_USAGE', `${NAME}: ${error.message}`, 'Set LOCUS_ADMIN_TOKEN to the token it was first started with, or start a new world: --data-dir DIR.');
    const listen = listenFailure(NAME, v.host ?? '127.0.0.1', port, error);
    if (listen) throw listen;
    throw directoryFailure(NAME, error, 'Choose a data dir you can write to: --data-dir DIR.');
  }
  const print = async () => io.stdout(`\n${new Date().toISOString()} verdicts:\n${await summary(world)}\n`);
  const first = setTimeout(() => void print(), 12_000);
  const every = setInterval(() => void print(), 60_000);
  // Signals taken before it says it runs (SIGTERM's default action would kill it uncleanly).
  const stopped = untilStopped(log, async (signal) => {
    clearTimeout(first);
    clearInterval(every);
    log(`${signal}: stopping`);
    await world.stop();
  });
  io.stdout(
    [
      `dashboard:   ${world.server.url}/  (API docs: ${world.server.url}/docs)`,
      `admin token: ${world.adminToken}`,
      `try:         curl -H "Authorization: Bearer ${world.adminToken}" ${world.server.url}/api/v1/nodes`,
      `landmarks:   ${WORLD_LANDMARKS.map((l) => l.name).join(', ')}`,
      `hosts:       ${world.hosts.length} simulated (${WORLD_HOSTS.map((h) => h.gpus).join(', ')})`,
      'Waiting for the first verdicts … (Ctrl-C to stop)',
      '',
    ].join('\n'),
  );
  await stopped;
  io.stdout('stopped; the data stays in the data dir for the next start\n');
  return 0;
}
