import type { NodeInventory } from '../../api/types.js';

export interface GpuEntry {
  readonly uuid: string;
  /** "GPU 3" by its index in the latest inventory; otherwise its shortened UUID. */
  readonly label: string;
  readonly name: string;
  readonly serial: string | null;
  readonly pciBusId: string | null;
  /** In the latest inventory: the GPU answers now. */
  readonly current: boolean;
}

const shortUuid = (uuid: string): string => (uuid.length > 16 ? `${uuid.slice(0, 12)}…` : uuid);

/**
 * The node's GPUs: those in the latest inventory in index order, then those seen before but
 * gone now, then any that only events name (a GPU that fell off the bus before enrollment).
 */
export function gpuEntries(inv: NodeInventory, namedByEvents: readonly string[] = []): GpuEntry[] {
  const indexOf = new Map((inv.inventory?.gpus ?? []).map((g) => [g.uuid, g.index]));
  const known = inv.gpus
    .map((g) => {
      const index = indexOf.get(g.uuid);
      const label = index === undefined ? `${shortUuid(g.uuid)} (gone)` : `GPU ${index}`;
      return { uuid: g.uuid, label, name: g.name, serial: g.serial, pciBusId: g.pciBusId, current: index !== undefined, order: index ?? Number.MAX_SAFE_INTEGER };
    })
    .sort((a, b) => a.order - b.order || a.uuid.localeCompare(b.uuid))
    .map(({ order: _, ...g }) => g);
  const seen = new Set(known.map((g) => g.uuid));
  const missing = [...new Set(namedByEvents)]
    .filter((uuid) => !seen.has(uuid))
    .sort()
    .map((uuid) => ({ uuid, label: `${shortUuid(uuid)} (not in inventory)`, name: 'unknown', serial: null, pciBusId: null, current: false }));
  return [...known, ...missing];
}

/** Names a GPU by UUID for event lines: its label when known. */
export const gpuLabeller =
  (gpus: readonly GpuEntry[]) =>
  (uuid: string | null): string => {
    if (uuid === null) return 'the host';
    return gpus.find((g) => g.uuid === uuid)?.label ?? shortUuid(uuid);
  };
