import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/**
 * Size budget of the built dashboard (`npm run build` writes apps/dashboard/dist). Measured at
 * 112 KiB gzipped (343 KB minified) for the first version: React, d3-geo, topojson-client, uPlot
 * and the pages. The budget leaves about 40% headroom. The world atlas (0.7 MB) must stay a file
 * of its own, fetched at run time.
 */
const MAIN_JS_BUDGET_GZIP_BYTES = 160 * 1024;

const dist = resolve(fileURLToPath(import.meta.url), '../../apps/dashboard/dist');
const gzipped = (file: string): number => gzipSync(readFileSync(file), { level: 9 }).length;

describe('dashboard bundle', () => {
  const built = existsSync(join(dist, 'index.html'));

  it('is built', () => {
    expect(built, `${dist}/index.html is missing: run \`npm run build\` first`).toBe(true);
  });

  it.runIf(built)(`keeps the main script within ${MAIN_JS_BUDGET_GZIP_BYTES / 1024} KB gzipped`, () => {
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script type="module"[^>]* src="\/([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    const size = gzipped(join(dist, scripts[0]!));
    expect(size, `main script is ${(size / 1024).toFixed(1)} KB gzipped`).toBeLessThanOrEqual(MAIN_JS_BUDGET_GZIP_BYTES);
  });

  it.runIf(built)('ships the world atlas as a separate file that no script embeds', () => {
    const assets = readdirSync(join(dist, 'assets'));
    const atlas = assets.find((f) => /^countries-50m-.*\.json$/.test(f));
    expect(atlas, `assets: ${assets.join(', ')}`).toBeDefined();
    const scripts = assets.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dist, 'assets', f), 'utf8'));
    expect(scripts.some((js) => js.includes(atlas!))).toBe(true);
    // The atlas's topology header: present in the JSON, absent from every script.
    expect(readFileSync(join(dist, 'assets', atlas!), 'utf8')).toMatch(/"type":"Topology"/);
    expect(scripts.filter((js) => js.includes('"type":"Topology"'))).toEqual([]);
  });
});
