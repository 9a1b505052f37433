/**
 * Agent benchmark (`npm run bench:agent`): the same measurements as `locus agent bench`, which
 * also runs from the standalone bundle on a GPU host with only a node binary
 * (`bin/locus agent bench`). The running daemon is the built CLI (apps/cli/bin/locus.js).
 *
 *   npm run bench:agent [-- --cycles 200 --daemon-s 180 --python python3] [--quick]
 *
 * --quick: 50 cycles and 60 s of the daemon (six passes and two sends, timed from 15 s after its
 * first batch, as the full run is), unless given. The goals stand as
 * references where no GPU gives a same-run one (nvidia-smi, pynvml).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_GOALS, runAgentBench } from '@locus/agent';
import { figure, printFigures, type Figures } from './figures.js';

const { values } = parseArgs({ options: { cycles: { type: 'string' }, 'daemon-s': { type: 'string' }, python: { type: 'string', default: 'python3' }, quick: { type: 'boolean', default: false } } });
// The standalone bundle (npm run build:agent) is what GPU hosts run, under the V8 flags the daemon measurement uses; the checkout's CLI otherwise.
const bundle = fileURLToPath(new URL('../dist/locus-agent/locus-agent.mjs', import.meta.url));
const bin = existsSync(bundle) ? bundle : fileURLToPath(new URL('../apps/cli/bin/locus.js', import.meta.url));
const built = existsSync(bundle) || existsSync(fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url)));
if (!built) console.log('apps/cli is not built (npm run build): the running daemon is not measured\n');
else console.log(`running daemon: ${bin === bundle ? 'the standalone bundle (dist/locus-agent)' : 'the checkout CLI (apps/cli/bin/locus.js; npm run build:agent to measure the bundle)'}`);
const report = await runAgentBench({
  cycles: Number(values.cycles ?? (values.quick ? 50 : 200)),
  daemonSeconds: Number(values['daemon-s'] ?? (values.quick ? 60 : 180)),
  cliEntry: built ? bin : undefined,
  nvmlLibrary: process.env.LOCUS_NVML_LIBRARY,
  python: values.python!,
  log: (line) => console.log(line),
});
const goal = (value: number) => ({ label: 'goal', value });
const { daemon, realNvml } = report;
const figures: Figures = {
  simulatedCpuMsPerCycle: figure(report.simulated.cpuMsPerCycle, 'ms', goal(BENCH_GOALS.cpuMsPerCycle)),
  fakeNvmlCpuMsPerCycle: figure(report.fakeNvml.cpuMsPerCycle, 'ms', goal(BENCH_GOALS.cpuMsPerCycle)),
  sampleBatchBytes: figure(report.payload.sampleBatchBytes, 'bytes'),
  sampleBatchGzipBytes: figure(report.payload.sampleBatchGzipBytes, 'bytes', { label: 'uncompressed', value: report.payload.sampleBatchBytes }),
  // Which daemon ran: the checkout's CLI holds more in memory than the bundle GPU hosts run.
  daemon: 'absent' in daemon ? daemon.absent : { ran: bin === bundle ? 'the standalone bundle' : 'the checkout CLI', peakRssMB: figure(daemon.peakRssMB, 'MB', goal(BENCH_GOALS.rssMB)), cpuPctOfOneCore: figure(daemon.cpuPctOfOneCore, '%', goal(BENCH_GOALS.cpuPctOfOneCore)), startupCpuMs: figure(daemon.startupCpuMs, 'ms') },
  realNvml:
    'absent' in realNvml
      ? realNvml.absent
      : {
          gpus: realNvml.gpus,
          cpuMsPerCycle: figure(realNvml.cycle.cpuMsPerCycle, 'ms', goal(BENCH_GOALS.cpuMsPerCycle)),
          ...('absent' in realNvml.oneGpu.nvidiaSmi ? {} : { oneGpuWallMsVsNvidiaSmi: figure(realNvml.oneGpu.locus.wallMs, 'ms', { label: 'nvidia-smi -q -x', value: realNvml.oneGpu.nvidiaSmi.wallMs }) }),
          ...('absent' in realNvml.oneGpu.pynvml ? {} : { oneGpuWallMsVsPynvml: figure(realNvml.oneGpu.locus.wallMs, 'ms', { label: 'pynvml', value: realNvml.oneGpu.pynvml.wallMs }) }),
        },
};
printFigures(figures);
