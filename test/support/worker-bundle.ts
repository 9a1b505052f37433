import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A worker's script bundled into a temporary file, and the function that removes it. */
export interface BundledWorker {
  readonly url: URL;
  remove(): void;
}

/**
 * For tests and benches: a worker thread's entry bundled from the sources into a temporary file
 * (under node_modules/.cache), as `npm run build` bundles it into apps/cli/dist, so that they run
 * the current code on real worker threads.
 */
async function bundleWorker(entry: URL, name: string): Promise<BundledWorker> {
  const { build } = await import('esbuild');
  // Beside the packages, so that what the worker loads at run time (sodium-native, better-sqlite3) resolves from it as from apps/cli/dist.
  const cache = fileURLToPath(new URL('../../node_modules/.cache/', import.meta.url));
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, `locus-${name}-`));
  const outfile = join(dir, `${name}.mjs`);
  await build({
    entryPoints: [fileURLToPath(entry)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    // As npm run build leaves them: loaded from node_modules at run time.
    external: ['better-sqlite3'],
    banner: { js: "import { createRequire as __locusCreateRequire } from 'node:module'; const require = __locusCreateRequire(import.meta.url);" },
  });
  return { url: pathToFileURL(outfile), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The ingest decoder worker (apps/server/src/ingest/decoder-worker.ts), bundled for tests and benches (bundleWorker). */
export const buildDecoderWorker = (): Promise<BundledWorker> => bundleWorker(new URL('../../apps/server/src/ingest/decoder-worker.ts', import.meta.url), 'decoder-worker');

/** The SQLite ingest writer's worker (packages/storage's sqlite-writer-worker.ts), bundled for tests and benches (bundleWorker). */
export const buildSqliteWriterWorker = (): Promise<BundledWorker> => bundleWorker(new URL('../../packages/storage/src/dialects/sqlite-writer-worker.ts', import.meta.url), 'sqlite-writer-worker');
