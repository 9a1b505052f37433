import type { Health, NodeEvent } from '../../api/types.js';
import { healthOf, type HealthEvent } from './events.js';

const RANK: Readonly<Record<Health, number>> = { healthy: 0, unknown: 1, degraded: 2, unhealthy: 3 };

export interface ComponentState extends HealthEvent {
  readonly at: string;
}

/** The latest health state of each (component, GPU), from events in any order. */
export function latestHealth(events: readonly NodeEvent[]): ComponentState[] {
  const latest = new Map<string, ComponentState>();
  for (const e of events) {
    const h = healthOf(e);
    if (!h) continue;
    const key = `${h.component}|${h.gpu ?? 'host'}`;
    const seen = latest.get(key);
    if (!seen || Date.parse(e.at) >= Date.parse(seen.at)) latest.set(key, { ...h, at: e.at });
  }
  return [...latest.values()];
}

export interface GpuHealth {
  /** The worst latest state of the GPU's components; healthy when nothing was reported. */
  readonly health: Health;
  /** Components whose latest state is not healthy, worst first. */
  readonly problems: readonly ComponentState[];
}

/** A GPU's health as the server's fleet summary counts it: the worst of its components' latest states. */
export function gpuHealth(states: readonly ComponentState[], gpu: string): GpuHealth {
  const mine = states.filter((s) => s.gpu === gpu);
  const problems = mine.filter((s) => s.health !== 'healthy').sort((a, b) => (RANK[b.health] ?? 0) - (RANK[a.health] ?? 0));
  return { health: problems[0]?.health ?? 'healthy', problems };
}
