import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError } from './errors.js';

/** A file's exact bytes (for hashing), or a coded error naming the file and why. */
export function readFileBytes(path: string, role: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new CliError('LOCUS_ERR_INPUT_FILE', `cannot read ${role} file ${path}: ${why}`, 'Check the path; relative paths start from the current directory.');
  }
}

/** A text file (UTF-8), or a coded error naming the file and why. */
export const readTextFile = (path: string, role: string): string => readFileBytes(path, role).toString('utf8');

/** A JSON file, parsed; a coded error when it cannot be read or is not JSON. */
export function readJsonFile(path: string, role: string): unknown {
  const text = readTextFile(path, role);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError('LOCUS_ERR_INPUT_VALUE', `${path}: not JSON (${(error as Error).message})`, `A ${role} file is a JSON document.`);
  }
}

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/**
 * mkdir -p, one level at a time. Node's own recursive mkdir never returns for a path under
 * /proc (the kernel answers ENOENT for a directory that exists, and Node tries again), so each
 * missing directory is made on its own and the first that cannot be made says why.
 */
export function makeDirectory(path: string, mode?: number): void {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
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
      if (errnoOf(error) !== 'EEXIST' || !statSync(dir).isDirectory()) throw error;
    }
  }
}

/** makeDirectory for `command`, its failure a coded error naming the directory and why. */
export function makeOutputDirectory(command: string, path: string, mode?: number): void {
  try {
    makeDirectory(path, mode);
  } catch (error) {
    const code = errnoOf(error);
    const why =
      code === 'ENOENT' ? 'a directory cannot be made there' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'the file system is read-only' : code === 'ENOTDIR' ? 'part of the path is a file, not a directory' : (error as Error).message;
    throw new CliError('LOCUS_ERR_OUTPUT', `${command}: cannot create the directory ${resolve(path)}: ${why}`, 'Choose a directory you can write to.');
  }
}
