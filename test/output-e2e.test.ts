import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCUS_BIN } from './support/locus-shim.js';

const EXAMPLE = new URL('../docs/examples/proof-bundle.json', import.meta.url).pathname;

describe('standard output that cannot be written, for the built locus command', () => {
  // /dev/full answers every write with ENOSPC: a full disk.
  it.skipIf(!existsSync('/dev/full'))('is LOCUS_ERR_OUTPUT with exit 1, not a stack trace', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [LOCUS_BIN, 'proof', 'verify', EXAMPLE, '--json'], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr).toBe('locus: error LOCUS_ERR_OUTPUT: cannot write standard output: ENOSPC: no space left on device, write\n');
      expect(r.status).toBe(1);
    } finally {
      closeSync(full);
    }
  });
});
