import { FAULT_KINDS, defaultStateDir, loadSimulator, parseFault, parseFleetSpec, saveSimulator, type SimulatorState } from '@locus/agent';
import { usageError } from '../errors.js';
import { parseCommandLine } from './args.js';
import type { Io } from '../io.js';
import { stateDirFailure } from './agent-common.js';

const NAME = 'locus agent inject-fault';

export const HELP = `Usage: ${NAME} FAULT gpu=N [--simulate SPEC] [--state-dir DIR]
       ${NAME} sxid=N fatal|non-fatal [switch=K] [--simulate SPEC] [--state-dir DIR]
       ${NAME} clear [--simulate SPEC] [--state-dir DIR]

Makes the simulated host (\`locus agent scan --simulate SPEC\`) show a fault from the next scan
on. Only the simulator takes faults: nothing here touches a real GPU.

Faults:
  xid=N          a kernel Xid event, e.g. xid=79 (GPU fell off the bus: it stops answering),
                 xid=48 (the same as ecc=dbe), xid=63 (a row marked for remapping: a row
                 remap pending), xid=94, xid=119
  ecc=dbe        a double-bit ECC error: its Xid 48 and the Xid 63 of the row it marks, the
                 volatile and aggregate uncorrectable counts raised and a row remap pending;
                 \`locus agent clear-xids\` then stands for the GPU reset, which zeroes the
                 volatile count and applies the remap
  remap=pending  a row remap waiting for a GPU reset
  remap=failed   a failed row remap (no spare rows left)
  thermal        thermal slowdown at 93 C
  power-brake    the board's power brake engaged
  pcie=degraded  the PCIe link trained down to x8 at its full generation, with replays
  nvlink=down    one NVLink down, with errors
  lost           the GPU stops answering
  clear          remove every injected fault

An NVSwitch's fault (no gpu=N: a switch serves every GPU):
  sxid=N fatal      an NVSwitch error (SXid) the driver marks Fatal, e.g. sxid=20034 fatal:
                    the nvswitch check calls the host unhealthy and suggests a reboot
  sxid=N non-fatal  one it marks Non-fatal (corrected by the switch), e.g. sxid=12028
                    non-fatal: listed, the host stays healthy
  switch=K          which of the baseboard's four NVSwitches logs it (0 to 3; default 0)
  \`locus agent clear-xids\` (without --gpu) clears SXids, standing for the fabric reset

Options:
  --simulate SPEC   the simulated host (default 8xH100); must match the one you scan
  --state-dir DIR   agent state (default $LOCUS_AGENT_STATE_DIR, else ~/.locus/agent)
  -h, --help        show this help
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values: v, positionals } = parseCommandLine(NAME, args, { simulate: { type: 'string' }, 'state-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const specText = v.simulate ?? '8xH100';
  const spec = parseFleetSpec(specText);
  if ('error' in spec) throw usageError(`${NAME}: --simulate: ${spec.error}`);
  const dir = v['state-dir'] ?? defaultStateDir(io.env);
  const { state } = loadSimulator(dir, specText);
  if (positionals.length === 1 && positionals[0] === 'clear') {
    save(dir, { ...state, faults: [] });
    io.stdout(`cleared ${state.faults.length} fault(s) on the simulated ${specText}\n`);
    return 0;
  }
  if (positionals.length === 0) throw usageError(`${NAME}: name a fault, e.g. xid=79 gpu=3`, `Faults: ${FAULT_KINDS.join(', ')}. Run \`${NAME} --help\`.`);
  const fault = parseFault(positionals, spec.gpus.length, new Date());
  if ('error' in fault) throw usageError(`${NAME}: ${fault.error}`, `Run \`${NAME} --help\` for the faults.`);
  save(dir, { ...state, faults: [...state.faults, fault] });
  io.stdout(`injected ${positionals.join(' ')} on the simulated ${specText}; the next \`locus agent scan --simulate ${specText}\` shows it\n`);
  return 0;
}

function save(dir: string, state: SimulatorState): void {
  try {
    saveSimulator(dir, state);
  } catch (error) {
    throw stateDirFailure(NAME, error);
  }
}
