import { readFileSync } from 'node:fs';
import { DirectoryError, makeDirectory } from '@locus/protocol';
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
