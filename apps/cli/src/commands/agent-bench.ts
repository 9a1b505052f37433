import { runAgentBench } from '@locus/agent';
import type { Io } from '../io.js';
import { parseCommandArgs } from './args.js';
import { integerOption, numberOption } from './options.js';

const NAME = 'locus agent bench';

export const HELP = `Usage: ${NAME} [--cycles 200] [--daemon-s 180] [--python python3] [--json]

Measures what the agent costs on this host, against its goals: CPU time per full sampling
cycle of a simulated 8-GPU host (goal ≤ 5 ms), bytes per payload, and a running daemon's
resident memory (≤ 60 MB) and CPU use at the 10 s interval (≤ 0.1 % of one core). Where NVML
loads, it also times a full cycle on the real GPUs and one full sample of GPU 0 through
Locus's NVML path against \`nvidia-smi -q -x -i 0\` and against pynvml reading the same
fields, in the same run, and reports the ratios; what is absent is said so. Sends nothing
anywhere: the daemon reports to a stand-in server on loopback.

Options:
  --cycles N        cycles to time (default 200)
  --daemon-s N      seconds to time the running daemon's CPU, from 15 s after its first
                    batch (its start-up's CPU is reported apart; resident memory is watched
                    from the first batch on); default 180, 0 skips it
  --python PATH     the Python with pynvml (nvidia-ml-py) for the comparison (default python3)
  --json            print the figures as one JSON document after the text
  -h, --help        show this help

Environment: LOCUS_NVML_LIBRARY names the NVML library to load instead of libnvidia-ml.so.1.
Runs from the checkout (\`npm run bench:agent\`) and from the standalone bundle
(\`bin/locus agent bench\`), so that a GPU host needs only a node binary.
Exit codes: 0 measured (whatever the figures); 2 bad input.
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, { cycles: { type: 'string' }, 'daemon-s': { type: 'string' }, python: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const report = await runAgentBench({
    cycles: integerOption(NAME, 'cycles', v.cycles ?? '200', 10, 100_000),
    daemonSeconds: numberOption(NAME, 'daemon-s', v['daemon-s'] ?? '180', 0, 3600, 'seconds'),
    // The CLI that runs this command: the checkout's bin or the bundle's entry.
    cliEntry: process.argv[1],
    nvmlLibrary: io.env.LOCUS_NVML_LIBRARY,
    python: v.python ?? 'python3',
    log: (line) => io.stdout(`${line}\n`),
  });
  if (v.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  return 0;
}
