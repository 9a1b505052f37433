/**
 * The entry of the standalone agent bundle (`npm run build:agent`, deploy/build-agent.mjs):
 * the `locus` command, of which the bundle holds only the `agent` subcommands. Bare `--help`
 * shows those; any other command says it is not in this bundle.
 */
import { onStdoutError, run } from '../main.js';

const argv = process.argv.slice(2);
const helpOnly = argv.length === 0 || (argv.length === 1 && ['-h', '--help', 'help'].includes(argv[0]!));
process.stdout.on('error', (error: NodeJS.ErrnoException) => onStdoutError(error));
process.exitCode = await run(helpOnly ? ['agent', '--help'] : argv);
