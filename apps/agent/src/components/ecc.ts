import { perGpu } from './component.js';

/**
 * Uncorrectable memory errors since the last reset mean the GPU's memory cannot be trusted until
 * then. Aggregate (lifetime) counts stay after a reset that dealt with them: what still matters
 * of them is judged by `remapped-rows` and `retired-pages`, so here they are only reported.
 */
export const ecc = perGpu(
  'ecc',
  () => true,
  (g) => {
    const e = g.ecc;
    // GeForce and most workstation boards have no ECC: nothing to judge, nothing wrong.
    if (e.enabled === null && g.unsupported.includes('ecc.enabled')) return { health: 'healthy', reason: 'ECC not supported by this board: memory errors are neither corrected nor counted' };
    // A setting, not a fault: noted so that an operator who expects ECC on a data-centre board sees it.
    if (e.enabled === false) return { health: 'healthy', reason: 'ECC is disabled: memory errors are neither corrected nor counted (nvidia-smi -e 1 and a GPU reset enable it)' };
    if (e.volatileUncorrected === null && e.aggregateUncorrected === null) return { health: 'unknown', reason: 'ECC counters not reported' };
    if ((e.volatileUncorrected ?? 0) > 0) return { health: 'unhealthy', reason: `${e.volatileUncorrected} uncorrectable ECC error(s) since the last reset`, suggestedAction: 'reset_gpu' };
    const corrected = `${e.volatileCorrected ?? 0} corrected since reset`;
    if ((e.aggregateUncorrected ?? 0) > 0) return { health: 'healthy', reason: `no uncorrectable ECC errors since the last reset (${corrected}); ${e.aggregateUncorrected} over the GPU's life` };
    return { health: 'healthy', reason: `no uncorrectable ECC errors (${corrected})` };
  },
);
