import { constants as bufferConstants } from 'node:buffer';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { DirectoryError, makeDirectory } from '@locus/protocol';
import { CliError } from './errors.js';

/** The most bytes read as text: V8's longest string (UTF-8 never decodes to more units than bytes). */
const MAX_TEXT_BYTES = 0x1fffffe8;

/** The most bytes of a file read at all (a Buffer's limit). */
const MAX_FILE_BYTES = Math.min(bufferConstants.MAX_LENGTH, 2 ** 32);

/** A file of `size` bytes (undefined: a stream that went on past maxBytes) that is too large. */
const tooBig = (size: number | undefined, maxBytes: number): Error => new Error(`${size === undefined ? 'it holds more' : `it is ${Math.round(size / 2 ** 20)} MiB, more`} than the ${Math.round(maxBytes / 2 ** 20)} MiB Locus reads`);

/** What a file that is not a regular one (a pipe, /dev/stdin, /dev/zero) holds, read until its end or past maxBytes. */
function readStream(fd: number, maxBytes: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(65_536);
    const n = readSync(fd, chunk);
    if (n === 0) return Buffer.concat(chunks, total);
    total += n;
    if (total > maxBytes) throw tooBig(undefined, maxBytes);
    chunks.push(chunk.subarray(0, n));
  }
}

/** The next step for a file that could not be read. */
export const CHECK_PATH = 'Check the path; relative paths start from the current directory.';

/** Why a file could not be read, in words (the common system errors), else the error's message. */
export function whyUnreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
}

/** A file's exact bytes (for hashing), at most maxBytes, or a coded error naming the file and why. */
export function readFileBytes(path: string, role: string, maxBytes = MAX_FILE_BYTES): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile() && !stat.isDirectory()) return readStream(fd, maxBytes);
    if (stat.size > maxBytes) throw tooBig(stat.size, maxBytes);
    return readFileSync(fd);
  } catch (error) {
    throw new CliError('LOCUS_ERR_INPUT_FILE', `cannot read ${role} file ${path}: ${whyUnreadable(error)}`, CHECK_PATH);
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
