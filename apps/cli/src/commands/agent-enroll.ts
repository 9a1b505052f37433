import { AlreadyEnrolledError, CollectError, ServerError, enrollAgent } from '@locus/agent';
import { Name, isKnownCountry } from '@locus/protocol';
import { CliError, usageError } from '../errors.js';
import type { Io } from '../io.js';
import { HOSTNAME_HELP, STATE_DIR_HELP, collectFailure, enrollmentIn, hostnameOf, keyIn, readSecret, shellWord, stateDirOf } from './agent-common.js';
import { parseCommandArgs } from './args.js';
import { HTTP, countryOption, requireOption, urlOption } from './options.js';

const NAME = 'locus agent enroll';

/** --name as the server would take it (the protocol's Name), refused here before the host key is made. */
function nameOption(name: string): string {
  const issue = Name.safeParse(name).error?.issues[0];
  if (issue === undefined) return name;
  const chars = [...name];
  const shown = chars.length > 60 ? `${chars.slice(0, 60).join('')}…` : name;
  const why = issue.code === 'too_big' ? `is ${name.length} characters long, more than the ${Name.maxLength} a name may have` : issue.code === 'too_small' ? 'is empty' : issue.message;
  throw usageError(`${NAME}: --name "${shown}" ${why}`, `Give a name of ${Name.minLength} to ${Name.maxLength} characters without control characters, or leave --name out to use the hostname.`);
}

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
  // The server's own checks, made before the host key is: what it would refuse leaves nothing behind.
  const claimed = v.claim === undefined ? null : countryOption(NAME, v.claim, 'claim', isKnownCountry);
  const name = v.name === undefined ? undefined : nameOption(v.name);
  const token = readSecret(NAME, requireOption(NAME, 'token-file', v['token-file'], 'FILE'));
  const dir = stateDirOf(io, v['state-dir']);
  // An enrollment file there but unreadable is refused before anything is made.
  enrollmentIn(NAME, dir);
  keyIn(NAME, dir);
  let enrolled;
  try {
    enrolled = await enrollAgent({ server, token, stateDir: dir, simulate: v.simulate, name, hostname: hostnameOf(io), claimedCountry: claimed, now: new Date() });
  } catch (error) {
    if (error instanceof AlreadyEnrolledError) throw new CliError('LOCUS_ERR_AGENT_STATE', `${NAME}: ${error.message}`, 'Run `locus agent unenroll` first to join another server.');
    if (error instanceof CollectError) throw collectFailure(NAME, error, 'Use --simulate 8xH100 to enroll a simulated host.');
    if (error instanceof ServerError) throw new CliError('LOCUS_ERR_SERVER_REFUSED', `${NAME}: ${error.message}`);
    throw error;
  }
  const runArgs = [...(v.simulate ? ['--simulate', v.simulate] : []), ...(v['state-dir'] === undefined ? [] : ['--state-dir', v['state-dir']])];
  io.stdout(`enrolled with ${server} as node ${enrolled.nodeId} (org ${enrolled.orgId}); host key ${enrolled.hostKey}\nStart the agent: ${['locus', 'agent', 'run', ...runArgs].map(shellWord).join(' ')}\n`);
  return 0;
}
