/**
 * Agent benchmark (`npm run bench:agent`): the same measurements as `locus agent bench`, which
 * also runs from the standalone bundle on a GPU host with only a node binary
 * (`bin/locus agent bench`). The running daemon is the built CLI (apps/cli/bin/locus.js).
 *
 *   npm run bench:agent [-- --cycles 200 --daemon-s 180 --python python3]
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runAgentBench } from '@locus/agent';

const { values } = parseArgs({ options: { cycles: { type: 'string', default: '200' }, 'daemon-s': { type: 'string', default: '180' }, python: { type: 'string', default: 'python3' } } });
const bin = fileURLToPath(new URL('../apps/cli/bin/locus.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url)));
if (!built) console.log('apps/cli is not built (npm run build): the running daemon is not measured\n');
await runAgentBench({
  cycles: Number(values.cycles),
  daemonSeconds: Number(values['daemon-s']),
  cliEntry: built ? bin : undefined,
  nvmlLibrary: process.env.LOCUS_NVML_LIBRARY,
  python: values.python!,
  log: (line) => console.log(line),
});
