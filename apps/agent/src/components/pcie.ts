import type { PcieLink } from '../model.js';
import { perGpu, type CheckResult, type Earlier } from './component.js';
import { PCIE_REPLAYS_MAX_PER_MIN } from './limits.js';

/** The link's width: narrower than it trained to at full speed is a seating, riser or lane fault. */
function judgeWidth(p: PcieLink): Omit<CheckResult, 'gpu'> | string | null {
  if (p.width === null || p.widthMax === null || p.width >= p.widthMax) return null;
  // Idle links drop their generation to save power (nvidia-smi shows Gen1 of Gen4 at idle), and
  // some boards and virtual machines report a narrower width in that state too (real captures:
  // an A10G passthrough at Gen1 x8 of x16). Only a link at its full generation shows its width.
  if (p.gen !== null && p.genMax !== null && p.gen < p.genMax) return `x${p.width} of x${p.widthMax} while the link idles at Gen${p.gen} of Gen${p.genMax} (width is judged at full speed)`;
  return { health: 'degraded', reason: `PCIe link x${p.width} of x${p.widthMax} at Gen${p.gen ?? '?'}`, suggestedAction: 'inspect_hardware' };
}

/** Replays are retransmissions after a bad packet; the counter counts since the driver loaded, so its rate is judged. */
function judgeReplays(p: PcieLink, earlier: Earlier | null): Omit<CheckResult, 'gpu'> | string {
  const lifetime = `${p.replayCounter} replay(s) since the driver loaded`;
  if (earlier === null) return `${lifetime} (no earlier pass to judge a rate by: a one-shot scan, or the daemon's first pass)`;
  const before = earlier.gpu.pcie.replayCounter;
  if (before === null || p.replayCounter! < before) return `${lifetime}; the counter was reset since the earlier pass, so no rate yet`;
  const perMin = ((p.replayCounter! - before) * 60) / earlier.seconds;
  const rate = `${p.replayCounter! - before} in ${Math.round(earlier.seconds)} s (${perMin.toFixed(1)}/min)`;
  if (perMin > PCIE_REPLAYS_MAX_PER_MIN) return { health: 'degraded', reason: `PCIe replays ${rate}, above ${PCIE_REPLAYS_MAX_PER_MIN}/min; ${lifetime}`, suggestedAction: 'inspect_hardware' };
  return `replays ${rate}; ${lifetime}`;
}

/**
 * The PCIe link: a width below the link's maximum at full speed, or replays faster than
 * PCIE_REPLAYS_MAX_PER_MIN (DCGM's PCIe watch), is degraded; the lifetime count alone is not.
 */
export const pcie = perGpu(
  'pcie',
  (g) => g.pcie.width !== null || g.pcie.replayCounter !== null,
  ({ pcie: p }, _s, earlier) => {
    const width = judgeWidth(p);
    const replays = p.replayCounter === null ? null : judgeReplays(p, earlier);
    const faults = [width, replays].filter((r): r is Omit<CheckResult, 'gpu'> => typeof r === 'object' && r !== null);
    const notes = [width, replays].filter((r): r is string => typeof r === 'string');
    if (faults.length > 0) return { health: 'degraded', reason: [...faults.map((f) => f.reason), ...notes].join('; '), suggestedAction: 'inspect_hardware' };
    return { health: 'healthy', reason: [`PCIe Gen${p.gen ?? '?'} x${p.width ?? '?'}`, ...notes].join('; ') };
  },
);
