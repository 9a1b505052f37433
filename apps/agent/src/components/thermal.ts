import { perGpu } from './component.js';

/** Above this the driver is about to slow the GPU down, or already does. */
const HOT_C = 90;

export const thermal = perGpu(
  'thermal',
  (g) => g.temperatureC !== null || g.clockEventReasons !== null,
  (g) => {
    const slowed = g.clockEventReasons?.filter((r) => r === 'hw_thermal_slowdown' || r === 'sw_thermal_slowdown') ?? [];
    if (slowed.length > 0) return { health: 'degraded', reason: `thermal slowdown active (${slowed.join(', ')}) at ${g.temperatureC ?? '?'} °C: check cooling`, suggestedAction: 'inspect_hardware' };
    if (g.temperatureC !== null && g.temperatureC >= HOT_C) return { health: 'degraded', reason: `${g.temperatureC} °C, at or above ${HOT_C} °C`, suggestedAction: 'inspect_hardware' };
    return { health: 'healthy', reason: g.temperatureC === null ? 'no thermal slowdown' : `${g.temperatureC} °C` };
  },
);
