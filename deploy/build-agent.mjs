// `npm run build:agent`: the agent as a standalone bundle, for GPU hosts without the monorepo.
// dist/locus-agent/ holds one bundled JS file (the `locus` command with only its `agent`
// subcommands), a launcher, the systemd unit, a README, and the two native addons esbuild
// cannot bundle (better-sqlite3 for the outbox, koffi for NVML) with their .node binaries,
// for the platform this runs on. It needs Node ≥ 20.19 and nothing else.
import { build } from 'esbuild';
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --out DIR builds elsewhere (tests do, so that two builds never share a directory); --metafile
// FILE writes esbuild's account of the source files the bundle holds (tests check what is left out).
const { values } = parseArgs({ options: { out: { type: 'string' }, metafile: { type: 'string' } } });
const out = values.out ? resolve(values.out) : join(root, 'dist/locus-agent');
/** The bundle must stay below this (documented in docs/agent.md); the build fails past it. */
const BUNDLE_LIMIT_BYTES = 20 * 1024 * 1024;
const started = performance.now();
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'bin'), { recursive: true });

/** Only the agent's commands are bundled: the others (server, landmark, geo) become a stub that says so. */
const agentOnly = {
  name: 'agent-only',
  setup(b) {
    b.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (args) => {
      if (!/commands[\\/]registry\.ts$/.test(args.importer) || /^\.\/agent-/.test(args.path)) return undefined;
      return { path: args.path, namespace: 'not-in-agent-bundle' };
    });
    b.onLoad({ filter: /.*/, namespace: 'not-in-agent-bundle' }, () => ({
      contents: "export async function run(_args, io) { io.stderr('locus: error LOCUS_ERR_CLI_USAGE: this standalone bundle holds only the `locus agent` commands\\nRun `locus agent --help` to list them.\\n'); return 2; }",
      loader: 'js',
    }));
    // The agent opens SQLite only; the server's database drivers are never loaded.
    b.onResolve({ filter: /^(pg|pg-native|@electric-sql\/pglite|kysely-pglite-dialect)$/ }, (args) => ({ path: args.path, namespace: 'no-server-db' }));
    b.onLoad({ filter: /.*/, namespace: 'no-server-db' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
    // zod's namespace carries its messages in 63 locales and a JSON Schema reader, about a
    // third of the bundle that every start parses and keeps; the agent says its errors in
    // English (zod's default) and reads no JSON Schema.
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: "export { default as en } from './en.js';", loader: 'js' }));
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]classic[\\/]from-json-schema\.js$/ }, () => ({
      contents: "export function fromJSONSchema() { throw new Error('the agent bundle reads no JSON Schema'); }",
      loader: 'js',
    }));
  },
};

const built = await build({
  entryPoints: [join(root, 'apps/cli/src/commands/agent-standalone.ts')],
  outfile: join(out, 'locus-agent.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: values.metafile !== undefined,
  external: ['better-sqlite3', 'koffi'],
  plugins: [agentOnly],
  banner: { js: "import { createRequire as __locusCreateRequire } from 'node:module'; const require = __locusCreateRequire(import.meta.url);" },
});
if (values.metafile) writeFileSync(values.metafile, JSON.stringify(built.metafile));

/** Copies the files of node_modules/<name> that `keep` accepts into the bundle's node_modules. */
function copyPackage(name, keep) {
  const from = join(root, 'node_modules', name);
  cpSync(from, join(out, 'node_modules', name), { recursive: true, filter: (src) => src === from || statSync(src).isDirectory() || keep(relative(from, src)) });
}
copyPackage('better-sqlite3', (f) => f === 'package.json' || f === 'LICENSE' || f.startsWith('lib/') || f === 'build/Release/better_sqlite3.node');
copyPackage('bindings', (f) => !f.includes('/'));
copyPackage('file-uri-to-path', (f) => f === 'package.json' || f === 'LICENSE' || f.startsWith('dist/') || f === 'index.js');
copyPackage('koffi', (f) => /^(package\.json|LICENSE\.txt|index\.c?js|indirect\.c?js|src\/koffi\/(index|indirect)\.c?js|src\/koffi\/src\/(static\.c?js|trampolines\.cjs))$/.test(f));
const koffiNative = `@koromix/koffi-${process.platform}-${process.arch}`;
copyPackage(koffiNative, (f) => !f.endsWith('.md'));

const unit = readFileSync(join(root, 'deploy/systemd/locus-agent.service'), 'utf8');
writeFileSync(join(out, 'locus-agent.service'), unit);
writeFileSync(
  join(out, 'bin/locus'),
  `#!/bin/sh
# Runs the standalone Locus agent with the node on PATH, or the one LOCUS_NODE names.
# --lite-mode (no optimising compiler): the daemon's code runs once every 10 s and never gets
# hot, and it keeps its resident memory about 9 MB lower for the same CPU time (bench:agent).
# The agent runs no WebAssembly; saying so first keeps V8 from warning that lite mode disables it.
# One malloc arena: glibc gives each thread that allocates (the gzip and crypto of a batch run on
# libuv's pool) an arena of its own, and the daemon's resident memory then rose by 3-4 MB in some
# runs of bench:agent and not others; with one it stayed within 58-59 MB.
export MALLOC_ARENA_MAX="\${MALLOC_ARENA_MAX:-1}"
here=$(dirname "$(readlink -f "$0")")
exec "\${LOCUS_NODE:-node}" --no-expose-wasm --lite-mode "$here/../locus-agent.mjs" "$@"
`,
);
chmodSync(join(out, 'bin/locus'), 0o755);
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
writeFileSync(
  join(out, 'README.md'),
  `# Locus agent ${version} (standalone, ${process.platform}-${process.arch})

The Locus GPU agent without the monorepo: \`bin/locus agent …\` with Node ≥ 20.19 on PATH (or
LOCUS_NODE=/path/to/node). Built by \`npm run build:agent\`; the native addons inside
(better-sqlite3, koffi) are for ${process.platform}-${process.arch}: build on the architecture you deploy to.

    bin/locus agent precheck --server https://locus.example
    bin/locus agent scan [--json]
    bin/locus agent enroll --server https://locus.example --token-file token
    bin/locus agent run [--landmark ws://landmark:7443/v1/timing] [--metrics 127.0.0.1:9400]
    bin/locus agent bench

To run it as a service, install it in /opt/locus-agent and use locus-agent.service; the steps
are in docs/agent.md of the Locus repository ("Install on a GPU host").
`,
);

function sizeOf(path) {
  const s = statSync(path);
  return s.isDirectory() ? readdirSync(path).reduce((n, f) => n + sizeOf(join(path, f)), 0) : s.size;
}
const bytes = sizeOf(out);
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify({ version, platform: `${process.platform}-${process.arch}`, entry: 'locus-agent.mjs', launcher: 'bin/locus', bytes, limitBytes: BUNDLE_LIMIT_BYTES }, null, 2)}\n`);
if (bytes > BUNDLE_LIMIT_BYTES) throw new Error(`${out} is ${(bytes / 1048576).toFixed(1)} MiB, over its ${BUNDLE_LIMIT_BYTES / 1048576} MiB limit`);
console.log(`built ${relative(process.cwd(), out) || '.'} (${(bytes / 1048576).toFixed(1)} MiB) in ${Math.round(performance.now() - started)} ms`);
