import { perGpu } from './component.js';

export const power = perGpu(
  'power',
  (g) => g.powerDrawW !== null || g.clockEventReasons !== null,
  (g) => {
    if (g.clockEventReasons?.includes('hw_power_brake_slowdown')) {
      return { health: 'degraded', reason: 'power brake slowdown: the board signalled a power supply problem', suggestedAction: 'inspect_hardware' };
    }
    if (g.powerDrawW !== null && g.powerLimitW !== null && g.powerDrawW > g.powerLimitW * 1.1) {
      return { health: 'degraded', reason: `drawing ${g.powerDrawW} W, over the ${g.powerLimitW} W limit`, suggestedAction: 'inspect_hardware' };
    }
    return { health: 'healthy', reason: g.powerDrawW === null ? 'no power slowdown' : `${g.powerDrawW} W of ${g.powerLimitW ?? '?'} W` };
  },
);
