import { parseCli, VERSION } from './cli.js';
import { CliError } from './errors.js';
import { processIo, type Io } from './io.js';

export function reportError(error: unknown, io: Io): number {
  if (error instanceof CliError) {
    io.stderr(`locus: error ${error.code}: ${error.message}\n`);
    if (error.hint) io.stderr(`${error.hint}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? error.message : String(error);
  io.stderr(`locus: error LOCUS_ERR_INTERNAL: ${detail}\nThis is a bug in Locus. Rerun with LOCUS_DEBUG=1 for a stack trace and report it.\n`);
  if (io.env.LOCUS_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return 70;
}

/** Runs `locus` with the given arguments; resolves to the exit code. */
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
