import { perGpu } from './component.js';

/** Uncorrectable memory errors since the last reset mean the GPU's memory cannot be trusted until then. */
export const ecc = perGpu(
  'ecc',
  () => true,
  ({ ecc: e }) => {
    if (e.enabled === false) return { health: 'degraded', reason: 'ECC is disabled (enable it with nvidia-smi -e 1, then reset the GPU)', suggestedAction: 'none' };
    if (e.volatileUncorrected === null && e.aggregateUncorrected === null) return { health: 'unknown', reason: 'ECC counters not reported' };
    if ((e.volatileUncorrected ?? 0) > 0) return { health: 'unhealthy', reason: `${e.volatileUncorrected} uncorrectable ECC error(s) since the last reset`, suggestedAction: 'reset_gpu' };
    if ((e.aggregateUncorrected ?? 0) > 0) return { health: 'degraded', reason: `${e.aggregateUncorrected} uncorrectable ECC error(s) over the GPU's life`, suggestedAction: 'none' };
    return { health: 'healthy', reason: `no uncorrectable ECC errors (${e.volatileCorrected ?? 0} corrected since reset)` };
  },
);
