import { accessSync, constants, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StorageOpenError } from '../storage.js';

/** The PostgreSQL major version PGlite runs, as a data directory's PG_VERSION file says it (a test checks it against PGlite). */
export const PGLITE_POSTGRES_MAJOR = '17';

/** The file in a PGlite directory that names the process holding it open (lockPgliteDirectory). */
export const PGLITE_LOCK_FILE = 'locus.lock';

const NEW_DIRECTORY = 'Give pglite: a new or empty directory, or one a Locus server made.';
const MAKE_WRITABLE = (dir: string) => `Make ${dir} and everything in it readable and writable by this user (chmod -R u+rwX ${dir}).`;

// PGlite's file system (Emscripten's) refuses a file whose mode bits deny it, even to root.
function usable(path: string, directory: boolean): boolean {
  try {
    accessSync(path, constants.R_OK | constants.W_OK | (directory ? constants.X_OK : 0));
    const mode = statSync(path).mode;
    return (mode & 0o444) !== 0 && (mode & 0o222) !== 0 && (!directory || (mode & 0o111) !== 0);
  } catch {
    return false;
  }
}

/** The first file or directory under dir (itself included) that PGlite could not read and write. */
function firstUnusable(dir: string): string | undefined {
  if (!usable(dir, true)) return dir;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const found = entry.isDirectory() ? firstUnusable(path) : entry.isFile() && !usable(path, false) ? path : undefined;
    if (found) return found;
  }
  return undefined;
}

/**
 * Refuses, before PGlite starts, a directory it would fail on with words of its own or none
 * (and Emscripten's exit code in place of ours): one it cannot use, one holding other files
 * (PGlite would write a database among them), or one with another PostgreSQL version's database.
 */
export function checkPgliteDirectory(directory: string): void {
  const dir = resolve(directory);
  if (!usable(dir, true)) throw new StorageOpenError(`cannot use the directory ${dir}: permission denied`, MAKE_WRITABLE(dir));
  const entries = readdirSync(dir).filter((name) => name !== PGLITE_LOCK_FILE);
  if (!entries.includes('PG_VERSION')) {
    if (entries.length > 0) throw new StorageOpenError(`${dir} is not empty and holds no PGlite database (it has no PG_VERSION file)`, NEW_DIRECTORY);
    return;
  }
  let version: string;
  try {
    version = readFileSync(join(dir, 'PG_VERSION'), 'utf8').trim();
  } catch {
    throw new StorageOpenError(`${dir} is not a PGlite database: its PG_VERSION cannot be read`, NEW_DIRECTORY);
  }
  if (!/^\d{1,3}$/.test(version)) throw new StorageOpenError(`${dir} is not a PGlite database: its PG_VERSION file does not hold a version`, NEW_DIRECTORY);
  if (version !== PGLITE_POSTGRES_MAJOR) {
    throw new StorageOpenError(
      `${dir} holds a PostgreSQL ${version} database; the PGlite of this Locus runs PostgreSQL ${PGLITE_POSTGRES_MAJOR}`,
      `Open it with the Locus (and PGlite) that made it, and move its data with pg_dump; or give pglite: a new directory.`,
    );
  }
}

/** PGlite's failure to open a directory that passed checkPgliteDirectory, said in words a person can act on. */
export function pgliteOpenFailure(directory: string, error: unknown): StorageOpenError {
  const dir = resolve(directory);
  const unusable = firstUnusable(dir);
  if (unusable !== undefined) return new StorageOpenError(`PGlite cannot write ${unusable} in its database: permission denied`, MAKE_WRITABLE(dir));
  // Emscripten's errno numbers (its ERRNO_CODES), on the ErrnoError it throws without a message.
  const errno = (error as { errno?: unknown } | undefined)?.errno;
  if (errno === 51 || errno === 19) return new StorageOpenError(`cannot write the database in ${dir}: the disk is full`, 'Free some space on its disk, or give pglite: a directory on another.');
  if (errno === 69) return new StorageOpenError(`cannot write the database in ${dir}: the file system is read-only`, 'Give pglite: a directory on a writable file system.');
  return new StorageOpenError(
    `PGlite could not open the PostgreSQL ${PGLITE_POSTGRES_MAJOR} database in ${dir}: it is damaged or incomplete`,
    'Restore the directory from a backup, or give pglite: a new directory (a new database).',
  );
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** How often to try for the lock before giving up. */
const LOCK_ATTEMPTS = 3;

/**
 * Takes dir for this process, or throws StorageOpenError naming the live process that holds it:
 * two processes with one PGlite directory open would each overwrite what the other wrote (PGlite's
 * own postmaster.pid names no real process). A lock left by a process that has gone is taken
 * over, as is one naming this process's id (a container restarted gets the same one). Returns
 * the function that gives it up.
 */
export function lockPgliteDirectory(directory: string): () => void {
  const dir = resolve(directory);
  const path = join(dir, PGLITE_LOCK_FILE);
  // A few tries: between two, another process may take over the same stale lock.
  for (let attempt = 1; ; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new StorageOpenError(`cannot write ${path}: ${(error as Error).message}`, MAKE_WRITABLE(dir));
    }
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(path, 'utf8').trim());
    } catch {
      // Given up meanwhile: take it.
    }
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
      throw new StorageOpenError(
        `${dir} is in use by process ${holder}: a PGlite database is opened by one process at a time`,
        `Stop process ${holder} first (servers that share a database need PostgreSQL: postgres://…); if it is not Locus, remove ${path}.`,
      );
    }
    if (attempt === LOCK_ATTEMPTS) throw new StorageOpenError(`${dir} is being opened by another process at the same time (${path})`, 'Start one process at a time on a PGlite directory.');
    rmSync(path, { force: true });
  }
}
