import { perGpu } from './component.js';
import { RETIRED_PAGES_DBE_SOFT_LIMIT, RETIRED_PAGES_MAX } from './limits.js';

/**
 * Dynamic page retirement (before Ampere), judged as DCGM's memory watch does: retiring a page
 * is the memory's designed repair, so retired pages alone are noted. A retirement pending a reset
 * is degraded (reset the GPU); RETIRED_PAGES_MAX pages in all is unhealthy (no spares left);
 * past RETIRED_PAGES_DBE_SOFT_LIMIT double-bit pages, a further one is degraded.
 */
export const retiredPages = perGpu(
  'retired-pages',
  (g) => g.retiredPages !== null,
  ({ retiredPages: p }, _s, earlier) => {
    const single = p!.singleBit ?? 0;
    const double = p!.doubleBit ?? 0;
    const counts = `${single + double} page(s) retired (${single} single-bit, ${double} double-bit)`;
    if (single + double >= RETIRED_PAGES_MAX) return { health: 'unhealthy', reason: `${counts}: at the limit of ${RETIRED_PAGES_MAX}, no spare pages are left for another double-bit error`, suggestedAction: 'inspect_hardware' };
    if (p!.pending) return { health: 'degraded', reason: `pages are pending retirement: reset the GPU to retire them; ${counts}`, suggestedAction: 'reset_gpu' };
    if (double <= RETIRED_PAGES_DBE_SOFT_LIMIT) return { health: 'healthy', reason: counts };
    const before = earlier?.gpu.retiredPages?.doubleBit;
    if (earlier === null || before === undefined || before === null) return { health: 'healthy', reason: `${counts}, past ${RETIRED_PAGES_DBE_SOFT_LIMIT} double-bit (no earlier pass to tell whether more are being retired)` };
    if (double > before) return { health: 'degraded', reason: `${counts}: ${double - before} more double-bit in ${Math.round(earlier.seconds)} s, past ${RETIRED_PAGES_DBE_SOFT_LIMIT}: the memory keeps failing`, suggestedAction: 'inspect_hardware' };
    return { health: 'healthy', reason: `${counts}, past ${RETIRED_PAGES_DBE_SOFT_LIMIT} double-bit, none more in ${Math.round(earlier.seconds)} s` };
  },
);
