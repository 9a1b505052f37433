import { clearXids, collectRaw, kernelPciId } from '@locus/agent';
import type { Io } from '../io.js';
import { usageError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import { STATE_DIR_HELP, collectFailure, stateDirOf } from './agent-common.js';

const NAME = 'locus agent clear-xids';

export const HELP = `Usage: ${NAME} [--gpu N] [--simulate SPEC] [--state-dir DIR]

Marks the Xid events, and the NVSwitch errors (SXid), now in the kernel log as dealt with, so
that the agent stops counting them: run it after doing what an Xid's suggested action says (a
GPU reset for Xid 48, 64, 95, …; restarting the application for Xid 94), or after resetting
the GPUs and NVSwitches following a fatal SXid. The kernel keeps every line until the host
reboots, and the xid and nvswitch checks judge every line they find, so without this a GPU
that was reset stays unhealthy (and its alert firing) until the next boot. Only the events
logged so far are cleared: a later one counts again, even of the same Xid on the same GPU. A
running agent sees it at its next pass. Reads the kernel log as \`locus agent scan\` does;
changes no GPU.

Options:
  --gpu N           only this GPU's Xid events (its index, as \`locus agent scan\` shows
                    it), and no SXid (a switch serves every GPU); default every event
  --simulate SPEC   the simulated host, as given to scan and run
${STATE_DIR_HELP}
  -h, --help        show this help
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, { gpu: { type: 'string' }, simulate: { type: 'string' }, 'state-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const gpu = v.gpu === undefined ? undefined : /^\d{1,3}$/.test(v.gpu) ? Number(v.gpu) : NaN;
  if (Number.isNaN(gpu)) throw usageError(`${NAME}: --gpu must be a GPU's index (0, 1, …), got "${v.gpu}"`);
  const stateDir = stateDirOf(io, v['state-dir']);
  let snapshot;
  try {
    ({ snapshot } = await collectRaw({ simulate: v.simulate, stateDir, now: new Date(), nvmlLibrary: io.env.LOCUS_NVML_LIBRARY }));
  } catch (error) {
    throw collectFailure(NAME, error);
  }
  let xids = snapshot.xids;
  if (gpu !== undefined) {
    const bus = [...snapshot.gpus.map((g) => ({ index: g.identity.index, pciBusId: g.identity.pciBusId })), ...snapshot.missingGpus].find((g) => g.index === gpu)?.pciBusId;
    if (bus === undefined) throw usageError(`${NAME}: no GPU ${gpu} on this host (it has ${snapshot.gpus.length + snapshot.missingGpus.length})`);
    xids = xids.filter((x) => kernelPciId(x.pciBusId) === kernelPciId(bus));
  }
  const sxids = gpu === undefined ? snapshot.sxids : [];
  const events = [...xids, ...sxids];
  const where = gpu === undefined ? '' : ` of GPU ${gpu}`;
  const noun = sxids.length > 0 ? 'Xid/SXid event(s)' : 'Xid event(s)';
  if (events.length === 0) {
    io.stdout(`no Xid${gpu === undefined ? ' or SXid' : ''} events${where} in the kernel log: nothing to clear\n`);
    return 0;
  }
  const added = clearXids(stateDir, events);
  const counts = new Map<string, number>();
  for (const label of [...xids.map((x) => `Xid ${x.xid}`), ...sxids.map((x) => `SXid ${x.sxid}`)]) counts.set(label, (counts.get(label) ?? 0) + 1);
  const summary = [...counts].map(([label, n]) => `${label}${n > 1 ? ` ×${n}` : ''}`).join(', ');
  io.stdout(`cleared ${events.length} ${noun}${where} (${summary}; ${events.length - added} of them already cleared): the agent counts them no more, and counts new ones\n`);
  return 0;
}
