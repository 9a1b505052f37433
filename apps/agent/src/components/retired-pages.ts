import { perGpu } from './component.js';

/** Dynamic page retirement (before Ampere): pending retirements need a reset; double-bit retirements point at the memory. */
export const retiredPages = perGpu(
  'retired-pages',
  (g) => g.retiredPages !== null,
  ({ retiredPages: p }) => {
    if (p!.pending) return { health: 'degraded', reason: 'pages are pending retirement: reset the GPU to retire them', suggestedAction: 'reset_gpu' };
    if ((p!.doubleBit ?? 0) > 0) return { health: 'degraded', reason: `${p!.doubleBit} page(s) retired for double-bit errors`, suggestedAction: 'inspect_hardware' };
    return { health: 'healthy', reason: `${(p!.singleBit ?? 0) + (p!.doubleBit ?? 0)} page(s) retired` };
  },
);
