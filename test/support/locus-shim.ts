import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's `locus` command. */
export const LOCUS_BIN = resolve(fileURLToPath(import.meta.url), '../../../apps/cli/bin/locus.js');

/**
 * A directory holding a `locus` that runs the checkout's CLI with --help appended, to put first
 * on PATH: a deployment's command line is then parsed for real (an unknown option or a missing
 * value is a usage error even with --help) without starting anything.
 */
export function locusHelpShim(): string {
  const dir = mkdtempSync(join(tmpdir(), 'locus-shim-'));
  writeFileSync(join(dir, 'locus'), `#!/bin/sh\nexec "${process.execPath}" "${LOCUS_BIN}" "$@" --help\n`);
  chmodSync(join(dir, 'locus'), 0o755);
  return dir;
}
