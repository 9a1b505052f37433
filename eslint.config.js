import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noApps = { group: ['@locus/cli', '@locus/agent', '@locus/landmark', '@locus/server', '@locus/dashboard', '**/apps/**'], message: 'Packages must not import apps.' };
/** Database drivers: only packages/storage/src/dialects may import them (STYLE.md, Storage). */
const drivers = { group: ['better-sqlite3', 'pg', '@electric-sql/pglite', 'kysely-pglite-dialect'], message: 'Only packages/storage/src/dialects import a database driver.' };
const io = ['fs', 'net', 'http', 'https', 'child_process', 'dgram', 'worker_threads'].flatMap((m) => [m, `node:${m}`]);

/**
 * Import restrictions per package, keeping dependencies pointing one way: apps → packages.
 * ESLint does not merge a rule's options across config blocks, so each block is complete.
 */
const boundaries = {
  'packages/geo': {
    patterns: [noApps, drivers, { group: ['@locus/*'], message: '@locus/geo is pure math and depends on nothing of ours.' }],
    paths: io.map((name) => ({ name, message: '@locus/geo does no I/O: take data as arguments.' })),
  },
  'packages/protocol': {
    patterns: [noApps, drivers, { group: ['@locus/*'], message: '@locus/protocol depends on nothing of ours (zod only).' }],
  },
  'packages/responder': {
    patterns: [noApps, drivers, { group: ['@locus/*', '!@locus/protocol'], message: '@locus/responder may depend on @locus/protocol only.' }],
  },
  'packages/proof': {
    patterns: [noApps, drivers, { group: ['@locus/*', '!@locus/geo', '!@locus/protocol'], message: '@locus/proof may depend on @locus/geo and @locus/protocol only.' }],
  },
  'packages/storage': {
    patterns: [noApps, drivers, { group: ['@locus/*', '!@locus/protocol'], message: '@locus/storage may depend on @locus/protocol only.' }],
  },
  'packages/netem': {
    patterns: [noApps, drivers, { group: ['@locus/*', '!@locus/geo'], message: '@locus/netem may depend on @locus/geo only.' }],
  },
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'Pass a clock in; do not read Date.now() directly.' },
      ],
    },
  },
  {
    files: ['apps/**/*.ts', 'apps/**/*.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: { 'no-restricted-imports': ['error', { patterns: [drivers] }] },
  },
  {
    // The dashboard runs in the browser: our packages (Node code) only as types, and no Node built-ins.
    files: ['apps/dashboard/src/**/*.ts', 'apps/dashboard/src/**/*.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          // But for the protocol's list of alert kinds, a module without dependencies.
          patterns: [{ regex: '^@locus/(?!protocol/alert-kinds$)', allowTypeImports: true, message: 'The dashboard runs in the browser: import our packages with `import type` only.' }],
          paths: [...io, 'crypto', 'node:crypto', 'os', 'node:os', 'path', 'node:path'].map((name) => ({ name, message: 'The dashboard runs in the browser: no Node built-ins.' })),
        },
      ],
    },
  },
  ...Object.entries(boundaries).map(([dir, rule]) => ({
    files: [`${dir}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', rule] },
  })),
  {
    // The one file of @locus/geo that reads a file: the borders it ships with (world-atlas),
    // parsed when the index is built, so that no JSON module holds the parsed topology (70 MB of
    // small arrays that every full garbage collection marks) for the life of the process.
    files: ['packages/geo/src/world/natural-earth.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: boundaries['packages/geo'].patterns }] },
  },
  {
    files: ['packages/storage/src/dialects/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: boundaries['packages/storage'].patterns.filter((p) => p !== drivers) }] },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
);
