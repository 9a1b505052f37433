import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { DirectoryError, makeDirectory } from '@locus/protocol';
import { CliError } from './errors.js';

/** The most bytes read as text: V8's longest string (UTF-8 never decodes to more units than bytes). */
const MAX_TEXT_BYTES = 0x1fffffe8;

/** A file's exact bytes (for hashing), at most maxBytes, or a coded error naming the file and why. */
export function readFileBytes(path: string, role: string, maxBytes = Infinity): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size > maxBytes) throw Object.assign(new Error(`it is ${Math.round(size / 2 ** 20)} MiB, more than the ${Math.round(maxBytes / 2 ** 20)} MiB Locus reads`), { code: 'ETOOBIG' });
    return readFileSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new CliError('LOCUS_ERR_INPUT_FILE', `cannot read ${role} file ${path}: ${why}`, 'Check the path; relative paths start from the current directory.');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A text file (UTF-8), or a coded error naming the file and why (too large to be text among them). */
export const readTextFile = (path: string, role: string): string => readFileBytes(path, role, MAX_TEXT_BYTES).toString('utf8');

/** A JSON file, parsed; a coded error when it cannot be read or is not JSON. */
export function readJsonFile(path: string, role: string): unknown {
  const text = readTextFile(path, role);
  if (text.trim() === '') throw new CliError('LOCUS_ERR_INPUT_VALUE', `${path}: the file is empty`, `A ${role} file is a JSON document.`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError('LOCUS_ERR_INPUT_VALUE', `${path}: not JSON (${(error as Error).message})`, `A ${role} file is a JSON document.`);
  }
}

/**
 * A directory that could not be made (DirectoryError) as LOCUS_ERR_OUTPUT for `command`, naming
 * the directory and why; any other error as it is.
 */
export function directoryFailure(command: string, error: unknown, hint = 'Choose a directory you can write to.'): unknown {
  return error instanceof DirectoryError ? new CliError('LOCUS_ERR_OUTPUT', `${command}: ${error.message}`, hint) : error;
}

/** makeDirectory for `command`, its failure a coded error naming the directory and why. */
export function makeOutputDirectory(command: string, path: string): void {
  try {
    makeDirectory(path);
  } catch (error) {
    throw directoryFailure(command, error);
  }
}
