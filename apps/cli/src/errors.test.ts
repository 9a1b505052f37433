import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_ERRORS } from './errors.js';

describe('the error registry', () => {
  it('matches docs/errors.md code for code, with the same exit status and meaning', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `(LOCUS_ERR_[A-Z_]+)` \| (\d+) \| (.*) \|$/gm)].map(([, code, exit, meaning]) => [code, Number(exit), meaning]);
    const registry = Object.entries(CLI_ERRORS).map(([code, e]) => [code, e.exitCode, e.summary]);
    expect(rows).toEqual(registry);
  });

  it('uses the LOCUS_ERR_ prefix and a documented exit status', () => {
    for (const [code, e] of Object.entries(CLI_ERRORS)) {
      expect(code).toMatch(/^LOCUS_ERR_[A-Z_]+$/);
      expect([1, 2, 70]).toContain(e.exitCode);
    }
  });
});
