// Bundles each deployable into a few files of plain JavaScript so that it starts fast and
// needs no TypeScript at run time. Code split: `locus --help` loads none of the geo data.
// Then builds the dashboard (Vite) into apps/dashboard/dist, which the server serves at `/`.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { build as viteBuild } from 'vite';

const started = performance.now();
const outdir = 'apps/cli/dist';
rmSync(outdir, { recursive: true, force: true });
await build({
  // The ingest decoder and the SQLite ingest writer run on worker threads of the server, each from a script of its own.
  entryPoints: { main: 'apps/cli/src/main.ts', 'decoder-worker': 'apps/server/src/ingest/decoder-worker.ts', 'sqlite-writer-worker': 'packages/storage/src/dialects/sqlite-writer-worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  // Loaded from node_modules at run time: native addons, WebAssembly, and packages that read
  // their own files next to their code.
  external: ['better-sqlite3', '@electric-sql/pglite', 'pg', 'pg-native', '@fastify/swagger-ui'],
  // CommonJS dependencies inside an ES module bundle still need `require`.
  banner: { js: "import { createRequire as __locusCreateRequire } from 'node:module'; const require = __locusCreateRequire(import.meta.url);" },
});
console.log(`built ${outdir} in ${Math.round(performance.now() - started)} ms`);

const dashboardStarted = performance.now();
await viteBuild({ configFile: 'apps/dashboard/vite.config.ts', logLevel: 'warn' });
console.log(`built apps/dashboard/dist in ${Math.round(performance.now() - dashboardStarted)} ms`);
