import { perGpu } from './component.js';

/** Row remapping (Ampere and later): a pending remap needs a reset; a failed one means no spare rows are left. */
export const remappedRows = perGpu(
  'remapped-rows',
  (g) => g.remappedRows !== null,
  ({ remappedRows: r }) => {
    if (r!.failed) return { health: 'unhealthy', reason: 'a row remap failed: the GPU has run out of spare memory rows', suggestedAction: 'inspect_hardware' };
    if (r!.pending) return { health: 'degraded', reason: 'a row remap is pending: reset the GPU to activate it', suggestedAction: 'reset_gpu' };
    return { health: 'healthy', reason: `${r!.correctable ?? 0} correctable and ${r!.uncorrectable ?? 0} uncorrectable rows remapped` };
  },
);
