import { kernelPciId } from '../snapshot.js';
import { assessXid } from '../nvidia/xid-catalog.js';
import type { CheckResult, Component, Health } from './component.js';
import { strongestAction, worst } from './component.js';

const HEALTH_OF = { info: 'healthy', app: 'degraded', critical: 'unhealthy' } as const satisfies Record<string, Health>;

/** Xid events from the kernel log, judged with the Xid catalog, per GPU. */
export const xid: Component = {
  name: 'xid',
  isSupported: () => true,
  check: (s) => {
    // Nothing read is not nothing logged: the GPUs may have had Xids that no one saw.
    if (s.kernelLogUnread !== undefined) return [{ health: 'unknown', reason: s.kernelLogUnread }];
    const byPci = new Map<string, number>();
    for (const g of s.gpus) byPci.set(kernelPciId(g.identity.pciBusId), g.identity.index);
    for (const m of s.missingGpus) byPci.set(kernelPciId(m.pciBusId), m.index);
    const results: CheckResult[] = [];
    const groups = new Map<number | undefined, ReturnType<typeof assessXid>[]>();
    const events = new Map<number | undefined, string[]>();
    for (const e of s.xids) {
      const gpu = byPci.get(kernelPciId(e.pciBusId));
      const assessed = assessXid(e);
      groups.set(gpu, [...(groups.get(gpu) ?? []), assessed]);
      events.set(gpu, [...(events.get(gpu) ?? []), `Xid ${e.xid}: ${assessed.meaning}`]);
    }
    for (const [gpu, assessed] of groups) {
      const health = worst(assessed.map((a) => HEALTH_OF[a.severity]));
      const action = strongestAction(assessed.map((a) => a.action));
      const reason = [...new Set(events.get(gpu))].join('; ');
      results.push({ health, reason: gpu === undefined ? `on an unknown GPU: ${reason}` : reason, ...(action ? { suggestedAction: action } : {}), ...(gpu === undefined ? {} : { gpu }) });
    }
    return results.length > 0 ? results : [{ health: 'healthy', reason: 'no Xid events' }];
  },
};
