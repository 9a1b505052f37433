import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCliDocs } from '../apps/cli/src/cli-docs.js';

describe('docs/cli.md', () => {
  it('is what the commands say of themselves (regenerate with `npm run docs:cli`)', async () => {
    const page = readFileSync(new URL('../docs/cli.md', import.meta.url), 'utf8');
    expect(page, 'docs/cli.md is stale: run `npm run docs:cli`').toBe(await renderCliDocs());
  });
});
