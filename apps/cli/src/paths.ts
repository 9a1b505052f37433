import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Io } from './io.js';

/**
 * The built dashboard, next to this checkout's CLI: apps/dashboard/dist, found from the running
 * bin (apps/cli/bin/locus.js, through any npx link). LOCUS_DASHBOARD_DIR overrides it.
 */
export function dashboardDir(io: Io): string | undefined {
  if (io.env.LOCUS_DASHBOARD_DIR) return io.env.LOCUS_DASHBOARD_DIR;
  const bin = process.argv[1];
  if (!bin) return undefined;
  try {
    return resolve(dirname(realpathSync(bin)), '../../dashboard/dist');
  } catch {
    return undefined;
  }
}

/** A script bundled beside the CLI's (apps/cli/dist/NAME.js), found from the running bin as the dashboard is; absent when running from sources. */
function bundled(name: string): URL | undefined {
  const bin = process.argv[1];
  if (!bin) return undefined;
  try {
    const script = resolve(dirname(realpathSync(bin)), `../dist/${name}.js`);
    return existsSync(script) ? pathToFileURL(script) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bundled ingest decoder (apps/cli/dist/decoder-worker.js); absent when running from sources
 * (tests), where the server decodes batches on its own thread.
 */
export const decoderWorker = (): URL | undefined => bundled('decoder-worker');

/**
 * The bundled SQLite ingest writer (apps/cli/dist/sqlite-writer-worker.js); absent when running
 * from sources (tests), where the server stores agents' samples on its own thread.
 */
export const sqliteWriterWorker = (): URL | undefined => bundled('sqlite-writer-worker');
