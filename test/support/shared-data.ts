import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared data folder that CI lays beside the checkout. */
export const SHARED_DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data');

/**
 * The path of a shared data folder, or undefined when it is absent, in which case the caller
 * skips. Under CI=true its absence is an error: CI must run these tests.
 */
export function sharedData(folder: string): string | undefined {
  const path = join(SHARED_DATA, folder);
  if (existsSync(path)) return path;
  if (process.env.CI === 'true') throw new Error(`CI=true but the shared data folder ${path} is missing`);
  console.warn(`skipping tests that read ${path}: the folder is absent (CI lays ../shared beside the checkout)`);
  return undefined;
}
