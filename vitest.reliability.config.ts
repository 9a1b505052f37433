import { defineConfig } from 'vitest/config';

/**
 * The reliability and security suites (docs/reliability.md): crash, outage, load, fuzz, forgery,
 * isolation, hardening. Run by `npm run test:reliability` (scripts/reliability.ts), which sets
 * LOCUS_RELIABILITY_OUT and LOCUS_RELIABILITY_QUICK and prints the figures they record.
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts', 'apps/server/src/isolation.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    // Suites that time things or kill processes must not share two cores with each other.
    fileParallelism: false,
  },
});
