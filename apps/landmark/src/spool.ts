import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { SignedMeasurement } from '@locus/protocol';

/**
 * Where delivery keeps the measurements it has not yet handed to the server, so that a landmark
 * stopped (or cut off) while the server is away sends them at its next start instead of losing
 * them. The queue in memory stays the working copy; the spool follows it.
 */
export interface Spool {
  /** What an earlier run left undelivered, oldest first (stale and unreadable lines left out): once, then none (the spool keeps no copy). */
  takeRestored(): SignedMeasurement[];
  append(signed: SignedMeasurement): void;
  /** `removed` measurements left the head of the queue (delivered, refused or dropped); `queue` is what remains. */
  settled(queue: readonly SignedMeasurement[], removed: number): void;
  /** Keeps `queue` for the next start and closes the file. */
  close(queue: readonly SignedMeasurement[]): void;
}

export interface SpoolOpened {
  readonly spool: Spool;
  /** Lines of the file that were not a signed measurement (a torn last line after a crash, say). */
  readonly unreadable: number;
  /** Measurements older than maxAgeMs, which the server would refuse: left out. */
  readonly stale: number;
}

export class SpoolError extends Error {
  constructor(
    message: string,
    /** Whether the file could not be read (else written). */
    readonly reading: boolean,
  ) {
    super(message);
  }
}

/** How old a kept measurement may be and still go: the server's default `measurementMaxAgeMs` (older ones it refuses). */
export const SPOOL_MAX_AGE_MS = 6 * 3600_000;

/** Removed lines a spool file may hold ahead of the queue before it is rewritten: at least this many, and at least the queue's length. */
const REWRITE_AFTER = 1_000;

const lines = (queue: readonly SignedMeasurement[]): string => queue.map((s) => `${JSON.stringify(s)}\n`).join('');

/**
 * Opens (or creates) a spool file: JSON lines, one signed measurement each, oldest first. What
 * the last run left is read back, less lines that do not parse and measurements older than
 * `maxAgeMs` at `now`, and the file rewritten to hold just those. Measurements are appended as
 * they are queued and the file rewritten as deliveries empty the queue; after a crash it may
 * still hold measurements the server took, which it counts once when they come again. One
 * landmark per file. Throws SpoolError when the file cannot be read or written.
 */
export function openSpool(path: string, options: { readonly maxAgeMs: number; readonly now: number; readonly onProblem?: (message: string) => void }): SpoolOpened {
  const { now } = options;
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new SpoolError(`cannot read the spool ${path}: ${(error as Error).message}`, true);
  }
  let unreadable = 0;
  let stale = 0;
  let restored: SignedMeasurement[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: ReturnType<typeof SignedMeasurement.safeParse>;
    try {
      parsed = SignedMeasurement.safeParse(JSON.parse(line));
    } catch {
      unreadable++;
      continue;
    }
    if (!parsed.success) unreadable++;
    else if (now - Date.parse(parsed.data.measurement.measuredAt) > options.maxAgeMs) stale++;
    else restored.push(parsed.data);
  }

  let fd = -1;
  // Lines in the file ahead of the queue: measurements that have left it since the last rewrite.
  let removedSince = 0;
  let failed = false;
  const guard = (what: string, write: () => void): void => {
    try {
      write();
    } catch (error) {
      // The queue in memory goes on; only what a restart would keep is at stake: said once.
      if (!failed) options.onProblem?.(`cannot ${what} the spool ${path} (${(error as Error).message}); measurements queued meanwhile are lost if the landmark stops before delivering them`);
      failed = true;
    }
  };
  const rewrite = (queue: readonly SignedMeasurement[]): void => {
    if (fd >= 0) closeSync(fd);
    fd = -1;
    const temporary = `${path}.tmp`;
    writeFileSync(temporary, lines(queue), { mode: 0o600 });
    renameSync(temporary, path);
    fd = openSync(path, 'a', 0o600);
    removedSince = 0;
    failed = false;
  };
  try {
    rewrite(restored);
  } catch (error) {
    throw new SpoolError(`cannot write the spool ${path}: ${(error as Error).message}`, false);
  }

  return {
    unreadable,
    stale,
    spool: {
      takeRestored() {
        const taken = restored;
        restored = [];
        return taken;
      },
      append: (signed) => guard('append to', () => writeSync(fd, `${JSON.stringify(signed)}\n`)),
      settled(queue, removed) {
        removedSince += removed;
        if (queue.length === 0) {
          guard('empty', () => {
            ftruncateSync(fd, 0);
            removedSince = 0;
          });
        } else if (removedSince >= Math.max(REWRITE_AFTER, queue.length)) {
          guard('rewrite', () => rewrite(queue));
        }
      },
      close(queue) {
        guard('write', () => {
          rewrite(queue);
          fsyncSync(fd);
        });
        if (fd >= 0) closeSync(fd);
        fd = -1;
      },
    },
  };
}
