import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_ERRORS } from '@locus/protocol';
import { CLI_ERRORS } from '../apps/cli/src/errors.js';
import { SERVER_ERRORS } from '../apps/server/src/errors.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const section = (title: string): string => doc.split(/^## /m).find((s) => s.startsWith(title)) ?? '';

describe('docs/errors.md', () => {
  it('lists the locus command codes, with the same exit status and meaning as the registry', () => {
    const rows = [...section('`locus` command').matchAll(/^\| `(LOCUS_ERR_[A-Z_]+)` \| (\d+) \| (.*) \|$/gm)].map(([, code, exit, meaning]) => [code, Number(exit), meaning]);
    expect(rows).toEqual(Object.entries(CLI_ERRORS).map(([code, e]) => [code, e.exitCode, e.summary]));
  });

  it('lists the protocol codes with the same meaning as the registry', () => {
    const rows = [...section('Protocol').matchAll(/^\| `(LOCUS_ERR_[A-Z_]+)` \| (.*) \|$/gm)].map(([, code, meaning]) => [code, meaning]);
    expect(rows).toEqual(Object.entries(PROTOCOL_ERRORS));
  });

  it('lists the HTTP API codes with the same status and meaning as the registry', () => {
    const rows = [...section('HTTP API').matchAll(/^\| `(LOCUS_ERR_[A-Z_]+)` \| (\d+) \| (.*) \|$/gm)].map(([, code, status, meaning]) => [code, Number(status), meaning]);
    expect(rows).toEqual(Object.entries(SERVER_ERRORS).map(([code, e]) => [code, e.statusCode, e.summary]));
  });

  it('never uses one code in two registries', () => {
    const all = [...Object.keys(CLI_ERRORS), ...Object.keys(PROTOCOL_ERRORS), ...Object.keys(SERVER_ERRORS)];
    expect(all.filter((c, i) => all.indexOf(c) !== i)).toEqual([]);
  });
});
