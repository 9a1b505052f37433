import type { Component } from './component.js';

export const driver: Component = {
  name: 'driver',
  isSupported: () => true,
  check: (s) => {
    const versions = [...new Set(s.gpus.map((g) => g.driverVersion ?? s.driverVersion).filter((v): v is string => v !== null))];
    if (versions.length === 0) return [{ health: 'unknown', reason: 'driver version not reported' }];
    if (versions.length > 1) return [{ health: 'degraded', reason: `GPUs report different drivers: ${versions.join(', ')}`, suggestedAction: 'reboot' }];
    return [{ health: 'healthy', reason: `driver ${versions[0]}${s.cudaVersion ? `, CUDA ${s.cudaVersion}` : ''}` }];
  },
};
