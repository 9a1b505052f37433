import { AlreadyEnrolledError, CollectError, ServerError, enrollAgent } from '@locus/agent';
import { CountryCode } from '@locus/protocol';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { HOSTNAME_HELP, STATE_DIR_HELP, collectFailure, hostnameOf, keyIn, readSecret, stateDirOf } from './agent-common.js';
import { parseCommandArgs } from './args.js';
import { HTTP, countryOption, requireOption, urlOption } from './options.js';

const NAME = 'locus agent enroll';

export const HELP = `Usage: ${NAME} --server URL --token-file FILE [--name NAME] [--claim CC] [options]

Opts this host in: makes its Ed25519 key (0600, in the state dir) and registers the host and
its GPUs with the server, using an enrollment token from the server's operator. Nothing is sent
to anyone before this command.

Options:
  --server URL      the Locus server, e.g. https://locus.example
  --token-file FILE the enrollment token, read from FILE ("-" for standard input; never argv)
  --name NAME       how the node is shown (default: the hostname, below)
  --claim CC        the country this host says it is in (ISO 3166-1 alpha-2), to be verified
  --simulate SPEC   enroll a simulated host (e.g. 8xH100) instead of reading the driver
${STATE_DIR_HELP}
  -h, --help        show this help

Environment: ${HOSTNAME_HELP}
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, {
    server: { type: 'string' },
    'token-file': { type: 'string' },
    name: { type: 'string' },
    claim: { type: 'string' },
    simulate: { type: 'string' },
    'state-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const server = requireOption(NAME, 'server', v.server, 'URL');
  urlOption(NAME, 'server', server, HTTP, 'https://locus.example');
  // Its shape only: the list of countries is @locus/geo's, which the agent does not load (its
  // standalone bundle stays small); the server refuses a code not on it before enrolling anything.
  const claimed = v.claim === undefined ? null : countryOption(NAME, v.claim, 'claim', (code) => CountryCode.safeParse(code).success);
  const token = readSecret(NAME, requireOption(NAME, 'token-file', v['token-file'], 'FILE'));
  const dir = stateDirOf(io, v['state-dir']);
  keyIn(NAME, dir);
  let enrolled;
  try {
    enrolled = await enrollAgent({ server, token, stateDir: dir, simulate: v.simulate, name: v.name, hostname: hostnameOf(io), claimedCountry: claimed, now: new Date() });
  } catch (error) {
    if (error instanceof AlreadyEnrolledError) throw new CliError('LOCUS_ERR_AGENT_STATE', `${NAME}: ${error.message}`, 'Run `locus agent unenroll` first to join another server.');
    if (error instanceof CollectError) throw collectFailure(NAME, error, 'Use --simulate 8xH100 to enroll a simulated host.');
    if (error instanceof ServerError) throw new CliError('LOCUS_ERR_SERVER_REFUSED', `${NAME}: ${error.message}`);
    throw error;
  }
  io.stdout(`enrolled with ${server} as node ${enrolled.nodeId} (org ${enrolled.orgId}); host key ${enrolled.hostKey}\nStart the agent: locus agent run${v.simulate ? ` --simulate ${v.simulate}` : ''}\n`);
  return 0;
}
