import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * For tests and benches: the ingest decoder worker bundled from the sources into a temporary
 * file (under node_modules/.cache), as `npm run build` bundles it into apps/cli/dist, so that
 * they run the current code on real worker threads. Returns its URL and a function that removes it.
 */
export async function buildDecoderWorker(): Promise<{ url: URL; remove(): void }> {
  const { build } = await import('esbuild');
  // Beside the packages, so that what the worker loads at run time (sodium-native) resolves from it as from apps/cli/dist.
  const cache = fileURLToPath(new URL('../../../../node_modules/.cache/', import.meta.url));
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'locus-decoder-'));
  const outfile = join(dir, 'decoder-worker.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./decoder-worker.ts', import.meta.url))],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __locusCreateRequire } from 'node:module'; const require = __locusCreateRequire(import.meta.url);" },
  });
  return { url: pathToFileURL(outfile), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
