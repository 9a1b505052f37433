import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, lstatSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey, keyFileText, makeDirectory, parseKeyFile, type SigningKey } from '@locus/protocol';

export const KEY_FILE_NAME = 'landmark.key';

export class KeyFileError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/** A new key could not be written (the file system refused: permissions, space): an output error rather than a key file's. */
export class KeyWriteError extends KeyFileError {}

/** Why a key could not be written there, in a few words, with what to do; undefined for an error that is not the file system's. */
function writeFailure(path: string, error: unknown): KeyWriteError | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  const cannot = (why: string, hint: string) => new KeyWriteError(`cannot write the key to ${path}: ${why}`, hint);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return cannot('permission denied', 'Run keygen as the user the landmark runs as, with --out a directory that user may write (sudo -u locus …).');
    case 'EROFS':
      return cannot('the file system is read-only', 'Choose --out DIR on a writable file system.');
    case 'EISDIR':
    case 'ENOTEMPTY':
      return cannot('it is a directory', `Remove or rename the directory ${path}, or choose another --out DIR.`);
    case 'ENOENT':
    case 'ENOTDIR':
      return cannot('the directory is gone, or part of its path is a file', 'Check --out DIR; it is created if missing.');
    case 'ENOSPC':
    case 'EDQUOT':
      return cannot('no space left', 'Free some space, or choose --out DIR on another file system.');
    default:
      return code === undefined ? undefined : cannot((error as Error).message, 'Choose --out DIR, a directory this user may write.');
  }
}

/** What has the name `path` (a symlink itself, not what it points to); undefined for nothing, or nothing that can be looked at (the write then says why). */
function entryAt(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/**
 * Creates a new key in `dir` (made 0700 if missing), as a file only its owner can read. It is
 * written to a file of its own made there (O_EXCL, 0600: never one that already is, nor a
 * symlink's target), then put in place: linked, which fails if anything (a symlink too) already
 * has the name, or with `force` renamed over it, which replaces a symlink rather than writing
 * where it points. Throws KeyFileError (KeyWriteError when the file system refused the write),
 * or DirectoryError when `dir` cannot be made.
 */
export function writeNewKey(dir: string, force = false): { path: string; key: SigningKey } {
  const path = join(dir, KEY_FILE_NAME);
  const there = entryAt(path);
  if (there?.isDirectory()) throw new KeyFileError(`${path} is a directory, not a key file`, `Remove or rename the directory ${path}, or choose another --out DIR.`);
  const exists = () => new KeyFileError(`${path} already exists; it holds this landmark's identity`, 'Keep it, or pass --force to replace it (measurements signed with the old key stop verifying against a new registration).');
  if (there && !force) throw exists();
  makeDirectory(dir, 0o700);
  const key = generateSigningKey();
  const temporary = join(dir, `.${KEY_FILE_NAME}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, keyFileText(key));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (force) renameSync(temporary, path);
    else {
      try {
        linkSync(temporary, path);
      } catch (error) {
        // A file system without hard links (some FUSE or FAT mounts): looked at, then renamed.
        if ((error as NodeJS.ErrnoException).code === 'EEXIST' || entryAt(path)) throw exists();
        renameSync(temporary, path);
      }
    }
  } catch (error) {
    if (error instanceof KeyFileError) throw error;
    throw writeFailure(path, error) ?? error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return { path, key };
}

/**
 * Whether no one but the landmark's own user and group can read a key file, nor anyone but its
 * owner change it. Its group may read it when that is the group the landmark runs as: Kubernetes
 * mounts a Secret owned by root, readable through the pod's fsGroup (the Helm chart's 0440).
 */
function onlyItsOwnCanRead(mode: number, gid: number): boolean {
  const others = mode & 0o077;
  return others === 0 || (others === 0o040 && gid === process.getegid?.());
}

/** Reads a key file, refusing one that other users can read (as ssh does) or its group change. */
export function readKey(path: string): SigningKey {
  let text: string;
  try {
    const stat = statSync(path);
    // A directory's mode says nothing of a key: "chmod 600" on one (/tmp, say) would break it.
    if (stat.isDirectory()) throw new KeyFileError(`cannot read key file ${path}: it is a directory`, 'Give the key file itself, DIR/landmark.key from `locus landmark keygen --out DIR`.');
    const mode = stat.mode;
    if (process.platform !== 'win32' && !onlyItsOwnCanRead(mode, stat.gid)) {
      throw new KeyFileError(`${path} can be read or changed by other users (mode ${(mode & 0o777).toString(8)})`, `Run: chmod 600 ${path}`);
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof KeyFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new KeyFileError(`cannot read key file ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`, 'Create one with `locus landmark keygen --out DIR`.');
  }
  const key = parseKeyFile(text);
  if ('error' in key) throw new KeyFileError(`${path}: ${key.error}`, 'Create a key with `locus landmark keygen --out DIR`.');
  return key;
}
