import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * Creates a new key in `dir` (made 0700 if missing), as a file only its owner can read. Throws
 * KeyFileError, or DirectoryError when `dir` cannot be made.
 */
export function writeNewKey(dir: string, force = false): { path: string; key: SigningKey } {
  const path = join(dir, KEY_FILE_NAME);
  if (existsSync(path) && !force) {
    throw new KeyFileError(`${path} already exists; it holds this landmark's identity`, 'Keep it, or pass --force to replace it (measurements signed with the old key stop verifying against a new registration).');
  }
  makeDirectory(dir, 0o700);
  const key = generateSigningKey();
  writeFileSync(path, keyFileText(key), { mode: 0o600 });
  chmodSync(path, 0o600);
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
