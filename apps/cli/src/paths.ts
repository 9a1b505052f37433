import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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
