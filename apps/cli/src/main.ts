import { parseCli, VERSION } from './cli.js';
import { CliError } from './errors.js';
import { printable, processIo, type Io } from './io.js';
import { missingV8Flags, relaunch, stayWithParent } from './relaunch.js';

export function reportError(error: unknown, io: Io): number {
  // A message may quote what a file holds (JSON.parse quotes the bytes where it stopped).
  if (error instanceof CliError) {
    io.stderr(`locus: error ${error.code}: ${printable(error.message)}\n`);
    if (error.hint) io.stderr(`${error.hint.split('\n').map(printable).join('\n')}\n`);
    return error.exitCode;
  }
  const detail = printable(error instanceof Error ? error.message : String(error));
  io.stderr(`locus: error LOCUS_ERR_INTERNAL: ${detail}\nThis is a bug in Locus. Rerun with LOCUS_DEBUG=1 for a stack trace and report it.\n`);
  if (io.env.LOCUS_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return 70;
}

/**
 * A write to standard output that failed. A closed pipe (`locus … | head`) is a normal way to
 * stop reading: exit with the status so far. Anything else (a full disk) is LOCUS_ERR_OUTPUT.
 */
export function onStdoutError(error: NodeJS.ErrnoException, io: Io = processIo()): never {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.exit(reportError(new CliError('LOCUS_ERR_OUTPUT', `cannot write standard output: ${error.message}`), io));
}

/**
 * `locus` as a process (bin/locus.js): a command that wants V8 flags this process lacks runs in
 * a child process started with them (relaunch.ts); any other, here.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  if (stayWithParent()) return run(argv, io);
  let flags: readonly string[] = [];
  try {
    const parsed = parseCli(argv);
    const helpOnly = parsed.kind === 'command' && parsed.args.some((a) => a === '--help' || a === '-h');
    if (parsed.kind === 'command' && parsed.command.v8Flags && !helpOnly) flags = missingV8Flags(parsed.command.v8Flags(io.env));
  } catch (error) {
    return reportError(error, io);
  }
  if (flags.length > 0) {
    const code = await relaunch(flags, argv, io.stderr);
    if (code !== undefined) return code;
  }
  return run(argv, io);
}

/** Runs `locus` with the given arguments in this process; resolves to the exit code. */
export async function run(argv: readonly string[], io: Io = processIo()): Promise<number> {
  try {
    const parsed = parseCli(argv);
    if (parsed.kind === 'help') {
      io.stdout(parsed.text);
      return 0;
    }
    if (parsed.kind === 'version') {
      io.stdout(`locus ${VERSION}\n`);
      return 0;
    }
    const command = await parsed.command.load();
    return await command.run(parsed.args, io);
  } catch (error) {
    return reportError(error, io);
  }
}
