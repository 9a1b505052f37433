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

/** Reads a key file, refusing one that others can read (as ssh does). */
export function readKey(path: string): SigningKey {
  let text: string;
  try {
    const stat = statSync(path);
    // A directory's mode says nothing of a key: "chmod 600" on one (/tmp, say) would break it.
    if (stat.isDirectory()) throw new KeyFileError(`cannot read key file ${path}: it is a directory`, 'Give the key file itself, DIR/landmark.key from `locus landmark keygen --out DIR`.');
    const mode = stat.mode;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new KeyFileError(`${path} can be read by other users (mode ${(mode & 0o777).toString(8)})`, `Run: chmod 600 ${path}`);
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
