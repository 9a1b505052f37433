import type { Health, NodeEvent } from '../../api/types.js';

export interface HealthEvent {
  readonly component: string;
  readonly gpu: string | null;
  readonly health: Health;
  readonly reason: string;
  readonly suggestedAction: string | null;
}

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A health event's fields, or undefined for any other event (or a malformed one). */
export function healthOf(e: NodeEvent): HealthEvent | undefined {
  if (e.kind !== 'health') return undefined;
  const b = obj(e.body);
  const component = str(b.component);
  const health = str(b.health);
  if (!component || !health) return undefined;
  return { component, gpu: str(b.gpu), health: health as Health, reason: str(b.reason) ?? '', suggestedAction: str(b.suggestedAction) };
}

export interface EventLine {
  readonly title: string;
  readonly detail: string;
  /** For colouring: problems stand out. */
  readonly severity: 'info' | 'warning' | 'critical';
  readonly action?: string;
  /** Another node this event points at (a duplicate GPU). */
  readonly otherNode?: string;
}

const ACTION_WORDS: Readonly<Record<string, string>> = {
  none: 'no action needed',
  restart_app: 'restart the application',
  reset_gpu: 'reset the GPU',
  reboot: 'reboot the host',
  inspect_hardware: 'inspect the hardware',
};

/** One timeline line for an event; `gpuLabel` names a GPU by UUID ("GPU 3"). */
export function describeEvent(e: NodeEvent, gpuLabel: (uuid: string | null) => string): EventLine {
  const b = obj(e.body);
  switch (e.kind) {
    case 'xid':
      return { title: `Xid ${String(b.xid)} on ${gpuLabel(str(b.gpu))}`, detail: `${str(b.message) ?? ''} (PCI ${str(b.pciBusId) ?? '?'})`, severity: 'critical' };
    case 'health': {
      const h = healthOf(e);
      if (!h) return { title: 'Health change', detail: JSON.stringify(e.body), severity: 'info' };
      const action = h.suggestedAction && h.suggestedAction !== 'none' ? (ACTION_WORDS[h.suggestedAction] ?? h.suggestedAction) : undefined;
      const severity = h.health === 'unhealthy' ? 'critical' : h.health === 'healthy' ? 'info' : 'warning';
      return { title: `${h.component} on ${h.gpu ? gpuLabel(h.gpu) : 'the host'}: ${h.health}`, detail: h.reason, severity, ...(action ? { action } : {}) };
    }
    case 'inventory': {
      const inv = obj(b.inventory);
      const gpus = Array.isArray(inv.gpus) ? inv.gpus.length : 0;
      return { title: 'Inventory reported', detail: `${str(inv.hostname) ?? 'host'}: ${gpus} GPU(s), driver ${str(inv.driverVersion) ?? 'unknown'}`, severity: 'info' };
    }
    case 'duplicate-gpu': {
      const other = str(b.otherNode);
      const by = b.otherOrganization === true ? 'A node of another organization' : str(b.otherName) ? `Node ${str(b.otherName)}` : 'Another node';
      return {
        title: `Duplicate GPU ${gpuLabel(str(b.gpu))}`,
        detail: `${by} reports the same GPU${str(b.serial) ? ` (serial ${str(b.serial)})` : ''}: a copied identity or a moved card.`,
        severity: 'critical',
        ...(other ? { otherNode: other } : {}),
      };
    }
    default:
      return { title: e.kind, detail: JSON.stringify(e.body).slice(0, 200), severity: 'info' };
  }
}
