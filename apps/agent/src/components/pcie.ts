import { perGpu } from './component.js';

/** Replays this many times mean a marginal link (a seating, riser or retimer problem). */
const REPLAY_LIMIT = 1000;

export const pcie = perGpu(
  'pcie',
  (g) => g.pcie.width !== null || g.pcie.replayCounter !== null,
  ({ pcie: p }) => {
    // Links train down to save power when idle, so only a narrower width is a fault.
    if (p.width !== null && p.widthMax !== null && p.width < p.widthMax) return { health: 'degraded', reason: `PCIe link x${p.width} of x${p.widthMax}`, suggestedAction: 'inspect_hardware' };
    if ((p.replayCounter ?? 0) > REPLAY_LIMIT) return { health: 'degraded', reason: `${p.replayCounter} PCIe replays`, suggestedAction: 'inspect_hardware' };
    return { health: 'healthy', reason: `PCIe Gen${p.gen ?? '?'} x${p.width ?? '?'}` };
  },
);
