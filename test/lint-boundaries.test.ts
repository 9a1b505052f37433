import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(import.meta.url), '../..');

async function lintAs(path: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: resolve(root, path) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('package boundaries (lint)', () => {
  it.each([
    ['packages/geo/src/x.ts', "import { run } from '@locus/cli';\nexport const x = run;\n", /Packages must not import apps/],
    ['packages/geo/src/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", /does no I\/O/],
    ['packages/geo/src/x.ts', "import { a } from '@locus/protocol';\nexport const x = a;\n", /depends on nothing of ours/],
  ])('rejects in %s: %j', async (path, code, message) => {
    expect((await lintAs(path, code)).join('\n')).toMatch(message);
  });

  it.each([
    ['apps/cli/src/x.ts', "import SQLite from 'better-sqlite3';\nexport const x = SQLite;\n"],
    ['packages/storage/src/repos/x.ts', "import pg from 'pg';\nexport const x = pg;\n"],
  ])('keeps database drivers inside packages/storage/src/dialects: rejects %s', async (path, code) => {
    expect((await lintAs(path, code)).join('\n')).toMatch(/Only packages\/storage\/src\/dialects import a database driver/);
  });

  it('lets a storage dialect import its driver', async () => {
    expect(await lintAs('packages/storage/src/dialects/x.ts', "import pg from 'pg';\nexport const x = pg;\n")).toEqual([]);
  });

  it.each([
    ['apps/dashboard/src/x.ts', "import { km } from '@locus/geo';\nexport const x = km;\n", /import our packages with `import type` only/],
    ['apps/dashboard/src/x.tsx', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", /no Node built-ins/],
  ])('keeps Node code out of the browser: rejects in %s: %j', async (path, code, message) => {
    expect((await lintAs(path, code)).join('\n')).toMatch(message);
  });

  it('lets the dashboard import types from a package', async () => {
    expect(await lintAs('apps/dashboard/src/x.ts', "import type { VerdictRecord } from '@locus/protocol';\nexport type X = VerdictRecord;\n")).toEqual([]);
  });

  it('lets an app import a package', async () => {
    expect(await lintAs('apps/cli/src/x.ts', "import { km } from '@locus/geo';\nexport const x = km;\n")).toEqual([]);
  });
});
