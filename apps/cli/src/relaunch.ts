/**
 * V8 settings that exist only as start-time flags, for the commands that want them: `locus`
 * starts such a command in a child process of its own with the flags, and stands in for it
 * (signals passed on, its exit passed back). Small, and with nothing but Node's own modules
 * besides the CLI's errors: every `locus` command line loads it.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, constants } from 'node:os';
import { usageError } from './errors.js';

/** auto (the default), on or off: whether the fleet server collects garbage on one thread. */
export const GC_ENV = 'LOCUS_SINGLE_THREADED_GC';
/** Set (to the parent's pid) in the environment of a command started by relaunch. */
const CHILD_ENV = 'LOCUS_RELAUNCHED_BY';

export const SINGLE_THREADED_GC = '--single-threaded-gc';

/**
 * The V8 flags the fleet server starts with. On two cores or fewer, one-threaded garbage
 * collection: by default V8 collects with helper threads (parallel scavenges, concurrent marking
 * and sweeping), which there compete with the ingest decoder threads and the database writes
 * for the same two cores. In bench:ingest on two cores it cut the server's CPU per 480-sample
 * batch from 3.2–3.5 ms to 2.6–2.8 ms and raised ingest by 15–25% (docs/server.md). On more
 * cores the helpers find idle ones, and shorten the server's pauses instead.
 */
export function serverV8Flags(env: Readonly<Record<string, string | undefined>>, cores: number = availableParallelism()): readonly string[] {
  const setting = (env[GC_ENV] ?? '').trim().toLowerCase();
  if (setting === '' || setting === 'auto') return cores <= 2 ? [SINGLE_THREADED_GC] : [];
  if (setting === 'on' || setting === '1' || setting === 'true') return [SINGLE_THREADED_GC];
  if (setting === 'off' || setting === '0' || setting === 'false') return [];
  throw usageError(`${GC_ENV} must be auto, on or off (it is "${env[GC_ENV]}")`);
}

/** The flags of `wanted` this process was not started with. */
export const missingV8Flags = (wanted: readonly string[]): readonly string[] => wanted.filter((flag) => !process.execArgv.includes(flag));

/**
 * Runs this same `locus` command line in a child process that starts with `flags` besides this
 * process's own, and resolves to its exit code once it ends. SIGINT and SIGTERM sent to this
 * process are passed on to it; it runs in a session of its own, so that a terminal's Ctrl-C
 * reaches it once (through this process) and not twice. If this process dies (even by SIGKILL),
 * the child sees its IPC channel close and stops as on SIGTERM (stayWithParent): no server is
 * left running without the process its supervisor watches. A child killed by a signal makes
 * this process die by the same signal. Resolves to undefined if the child cannot be started.
 */
export function relaunch(flags: readonly string[], argv: readonly string[], warn: (line: string) => void): Promise<number | undefined> {
  const script = process.argv[1];
  if (script === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, ...flags, script, ...argv], {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [CHILD_ENV]: String(process.pid) },
      detached: true,
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const stopForwarding = () => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.once('error', (error) => {
      stopForwarding();
      warn(`locus: cannot start the command with ${flags.join(' ')} (${error.message}); running it without\n`);
      resolve(undefined);
    });
    child.once('exit', (code, signal) => {
      stopForwarding();
      if (signal === null) return resolve(code ?? 1);
      process.kill(process.pid, signal);
      // Only if that signal does not end this process (one it ignores).
      resolve(128 + (constants.signals[signal] ?? 0));
    });
  });
}

/**
 * In a command started by relaunch: stop as on SIGTERM when the parent goes (its IPC channel
 * closes), without that channel keeping the process alive. Returns whether this process is one.
 */
export function stayWithParent(): boolean {
  const parent = process.env[CHILD_ENV];
  if (parent === undefined) return false;
  // Not passed on to what this command starts in turn.
  delete process.env[CHILD_ENV];
  // Started by hand with the variable set: no channel, nothing to watch.
  if (!process.channel) return false;
  process.once('disconnect', () => {
    process.stderr.write(`${new Date().toISOString()} the locus process that started this one (${parent}) has ended\n`);
    process.kill(process.pid, 'SIGTERM');
  });
  process.channel.unref();
  return true;
}
