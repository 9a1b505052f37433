import { perGpu } from './component.js';

export const persistence = perGpu(
  'persistence',
  (g) => g.persistenceMode !== null,
  (g) =>
    g.persistenceMode
      ? { health: 'healthy', reason: 'persistence mode on' }
      : { health: 'degraded', reason: 'persistence mode off: the driver tears the GPU down between jobs (nvidia-smi -pm 1)', suggestedAction: 'none' },
);
