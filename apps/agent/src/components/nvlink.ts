import { perGpu } from './component.js';

export const nvlink = perGpu(
  'nvlink',
  (g) => g.nvlink !== null && g.nvlink.length > 0,
  (g) => {
    const links = g.nvlink!;
    const down = links.filter((l) => !l.active);
    const noisy = links.filter((l) => (l.crcErrors ?? 0) + (l.replayErrors ?? 0) + (l.recoveryErrors ?? 0) > 0);
    // Every link down cannot be told apart from here: a PCIe board without NVLink bridges reports
    // its links so, and so does an NVSwitch (HGX) board whose fabric is not up (Fabric Manager
    // stopped, an NVSwitch failed), where jobs across GPUs fail. Neither healthy nor degraded.
    if (down.length === links.length) return { health: 'unknown', reason: `no NVLink up (0 of ${links.length}): as on a PCIe board without NVLink bridges; on an NVSwitch (HGX) board the fabric is down (check nvidia-fabricmanager and the NVSwitches)` };
    if (down.length > 0) return { health: 'degraded', reason: `NVLink ${down.map((l) => l.link).join(', ')} down of ${links.length}`, suggestedAction: 'reset_gpu' };
    if (noisy.length > 0) return { health: 'degraded', reason: `errors on NVLink ${noisy.map((l) => l.link).join(', ')}`, suggestedAction: 'inspect_hardware' };
    return { health: 'healthy', reason: `${links.length - down.length} of ${links.length} links up` };
  },
);
