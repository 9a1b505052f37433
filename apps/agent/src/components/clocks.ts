import { perGpu } from './component.js';

/** A hardware slowdown without a thermal or power-brake cause (those have their own components). */
export const clocks = perGpu(
  'clocks',
  (g) => g.clockEventReasons !== null,
  (g) => {
    const r = g.clockEventReasons!;
    if (r.includes('hw_slowdown') && !r.includes('hw_thermal_slowdown') && !r.includes('hw_power_brake_slowdown')) {
      return { health: 'degraded', reason: 'hardware slowdown active', suggestedAction: 'inspect_hardware' };
    }
    const active = r.filter((x) => x !== 'gpu_idle');
    return { health: 'healthy', reason: active.length === 0 ? `${g.smClockMHz ?? '?'} MHz, no clock events` : `${g.smClockMHz ?? '?'} MHz (${active.join(', ')})` };
  },
);
