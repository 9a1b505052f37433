import { COMMANDS, type CommandSpec } from './commands/registry.js';
import { usageError } from './errors.js';

export const VERSION = '0.1.0';

export type ParsedCli =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'command'; readonly command: CommandSpec; readonly args: readonly string[] };

const isHelp = (a: string | undefined): boolean => a === '--help' || a === '-h' || a === 'help';

function groupHelp(prefix: readonly string[]): string {
  const below = COMMANDS.filter((c) => prefix.every((p, i) => c.path[i] === p));
  const width = Math.max(...below.map((c) => c.path.join(' ').length));
  const lines = below.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  const name = ['locus', ...prefix].join(' ');
  return [
    prefix.length === 0 ? 'locus — prove where your data-centre GPUs run.\n' : '',
    `Usage: ${name} <command> [options]\n`,
    'Commands:',
    ...lines,
    '',
    `Run \`${name} <command> --help\` for a command's options.`,
    ...(prefix.length === 0 ? ['', 'Options:', '  -h, --help     Show this help.', '  -V, --version  Show the version.'] : []),
    '',
  ].join('\n');
}

/**
 * A group named without one of its commands (`locus agent`) is a usage error, exit 2, with the
 * group's help on stderr: a script that lost its subcommand must not pass as having run.
 */
const missingCommand = (prefix: readonly string[]) =>
  usageError(`${['locus', ...prefix].join(' ')} needs a command`, groupHelp(prefix).trimEnd());

/**
 * Splits argv into a command and its arguments. Throws a usage error for anything that
 * names no command.
 */
export function parseCli(argv: readonly string[]): ParsedCli {
  const [first] = argv;
  if (first === undefined) throw missingCommand([]);
  // `locus help geo verify` is `locus geo verify --help`.
  if (first === 'help' && argv.length > 1) return parseCli([...argv.slice(1), '--help']);
  if (isHelp(first)) return { kind: 'help', text: groupHelp([]) };
  if (first === '--version' || first === '-V') return { kind: 'version' };
  const path: string[] = [];
  const hasPrefix = (c: CommandSpec): boolean => path.every((p, i) => c.path[i] === p);
  for (const word of argv) {
    if (word.startsWith('-')) break;
    path.push(word);
    const exact = COMMANDS.find((c) => c.path.length === path.length && hasPrefix(c));
    if (exact) return { kind: 'command', command: exact, args: argv.slice(path.length) };
    if (!COMMANDS.some(hasPrefix)) {
      throw usageError(`unknown command "${path.join(' ')}"`, `Run \`locus ${path.slice(0, -1).concat('--help').join(' ')}\` to list the commands.`);
    }
  }
  const next = argv[path.length];
  if (next === undefined) throw missingCommand(path);
  if (isHelp(next)) return { kind: 'help', text: groupHelp(path) };
  const name = ['locus', ...path].join(' ');
  throw usageError(`unknown option "${next}" for "${name}"`, `Run \`${name} --help\` to list what it accepts.`);
}
