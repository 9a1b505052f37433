/**
 * Error codes of the `locus` command. A code, once published, keeps its meaning forever and
 * is never reused; docs/errors.md lists every one (a test keeps the two in step).
 */
export const CLI_ERRORS = {
  LOCUS_ERR_CLI_USAGE: { exitCode: 2, summary: 'Unknown command or option, or a missing or malformed option value.' },
  LOCUS_ERR_INPUT_FILE: { exitCode: 2, summary: 'An input file is missing, unreadable, or not a file.' },
  LOCUS_ERR_INPUT_CSV: { exitCode: 2, summary: 'An input CSV is malformed: wrong header, missing columns, or a row with the wrong number of fields.' },
  LOCUS_ERR_INPUT_VALUE: { exitCode: 2, summary: 'A field holds a bad value: a negative or non-numeric RTT, a latitude out of range, an unknown country code.' },
  LOCUS_ERR_INPUT_REFERENCE: { exitCode: 2, summary: 'A row names something not defined elsewhere, such as a landmark id missing from the landmarks file.' },
  LOCUS_ERR_INPUT_CONFLICT: { exitCode: 2, summary: 'Two rows disagree: a landmark id defined twice, or two different claims for one target.' },
  LOCUS_ERR_INPUT_EMPTY: { exitCode: 2, summary: 'An input file has a header but no rows where at least one is needed.' },
  LOCUS_ERR_KEY_FILE: { exitCode: 2, summary: 'A key file is missing, malformed, readable by other users, or would be overwritten.' },
  LOCUS_ERR_LISTEN: { exitCode: 1, summary: 'A server could not listen on its address (port in use, not permitted, or not an address of this machine).' },
  LOCUS_ERR_NO_GPU: { exitCode: 1, summary: 'No NVIDIA driver was found on this host (use --simulate to try Locus without a GPU).' },
  LOCUS_ERR_GPU_READ: { exitCode: 1, summary: 'The NVIDIA driver is there but could not be read: NVML did not load and nvidia-smi failed (its message is given).' },
  LOCUS_ERR_AGENT_STATE: { exitCode: 2, summary: 'The agent is not in the state the command needs: not enrolled, already enrolled, an enrollment file it cannot read, or another agent running on its state dir.' },
  LOCUS_ERR_SERVER_REFUSED: { exitCode: 1, summary: 'The server could not be reached or refused the request; the message carries its error code.' },
  LOCUS_ERR_DATABASE: { exitCode: 1, summary: 'The database could not be opened or migrated (the server\'s, or the agent\'s queue, outbox.db).' },
  LOCUS_ERR_OUTPUT: { exitCode: 1, summary: 'Output could not be written (for example, a full disk or a closed pipe).' },
  LOCUS_ERR_INTERNAL: { exitCode: 70, summary: 'A bug in Locus. Rerun with LOCUS_DEBUG=1 for a stack trace and report it.' },
} as const;

export type CliErrorCode = keyof typeof CLI_ERRORS;

/** An error meant for the person at the terminal: a code, one clear message, and what to do next. */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly hint: string | undefined;

  constructor(code: CliErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.hint = hint;
  }

  get exitCode(): number {
    return CLI_ERRORS[this.code].exitCode;
  }
}

export const usageError = (message: string, hint?: string): CliError => new CliError('LOCUS_ERR_CLI_USAGE', message, hint);

/**
 * A server's listen() failing, as a coded error naming the address and what to do; undefined
 * for any other error (a database file's EACCES is not the port's). A --host name that does not
 * resolve fails in getaddrinfo, before listen(), naming that host. `portFrom` names where the
 * port is set: `--port (or PORT)` for the commands that honour PORT, `--port` for the others.
 */
export function listenFailure(command: string, host: string, port: number, error: unknown, portFrom = '--port (or PORT)'): CliError | undefined {
  const e = error as NodeJS.ErrnoException & { hostname?: string };
  const unresolved = e.syscall === 'getaddrinfo' && e.hostname === host;
  if (e.syscall !== 'listen' && !unresolved) return undefined;
  const hint = unresolved
    ? 'No address of this machine has that name: --host takes a local address or name, or 0.0.0.0 for all.'
    : e.code === 'EADDRINUSE'
      ? `The port is in use: pick another with ${portFrom}.`
      : e.code === 'EACCES'
        ? `Ports below 1024 need privileges: pick another with ${portFrom}.`
        : e.code === 'EADDRNOTAVAIL'
          ? 'The address is not one of this machine\'s: --host takes a local address, or 0.0.0.0 for all.'
          : undefined;
  return new CliError('LOCUS_ERR_LISTEN', `${command}: cannot listen on ${host}:${port}: ${e.message}`, hint);
}
