import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A directory that could not be made: `message` names it and says why, for a person to read. */
export class DirectoryError extends Error {
  /** The directory asked for, absolute. */
  readonly path: string;
  /** Why, in a few words ("permission denied"). */
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`cannot create the directory ${path}: ${reason}`);
    this.name = 'DirectoryError';
    this.path = path;
    this.reason = reason;
  }
}

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

function reasonOf(error: unknown): string {
  switch (errnoOf(error)) {
    case 'ENOENT':
      return 'a directory cannot be made there';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'part of the path is a file, not a directory';
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return (error as Error).message;
  }
}

/**
 * mkdir -p, one level at a time, each directory it makes given `mode` (less the umask); throws
 * DirectoryError. Node's own recursive mkdir never returns for a path under /proc (the kernel
 * answers ENOENT for the parent it has just found, and Node tries again), so each missing
 * directory is made on its own and the first that cannot be made says why.
 */
export function makeDirectory(path: string, mode?: number): void {
  const target = resolve(path);
  try {
    const missing: string[] = [];
    for (let dir = target; ; dir = dirname(dir)) {
      let isDirectory: boolean | undefined;
      try {
        isDirectory = statSync(dir).isDirectory();
      } catch (error) {
        if (errnoOf(error) !== 'ENOENT' || dir === dirname(dir)) throw error;
      }
      if (isDirectory === false) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
      if (isDirectory) break;
      missing.unshift(dir);
    }
    for (const dir of missing) {
      try {
        mkdirSync(dir, mode === undefined ? {} : { mode });
      } catch (error) {
        // Made meanwhile by another process: as good.
        if (errnoOf(error) !== 'EEXIST' || !statSync(dir).isDirectory()) throw error;
      }
    }
  } catch (error) {
    throw new DirectoryError(target, reasonOf(error));
  }
}
