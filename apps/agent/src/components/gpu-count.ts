import type { Component } from './component.js';

/** GPUs that stopped answering (fell off the bus, lost power) compared with the host's inventory. */
export const gpuCount: Component = {
  name: 'gpu-count',
  isSupported: () => true,
  check: (s) => {
    if (s.missingGpus.length > 0) {
      return s.missingGpus.map((m) => ({ gpu: m.index, health: 'unhealthy' as const, reason: `GPU ${m.index} (${m.pciBusId}, ${m.uuid}) no longer answers`, suggestedAction: 'reboot' as const }));
    }
    if (s.expectedGpus !== null && s.gpus.length < s.expectedGpus) {
      return [{ health: 'unhealthy', reason: `${s.gpus.length} of ${s.expectedGpus} GPUs answer`, suggestedAction: 'reboot' }];
    }
    return [{ health: 'healthy', reason: `${s.gpus.length} GPU${s.gpus.length === 1 ? '' : 's'} present` }];
  },
};
