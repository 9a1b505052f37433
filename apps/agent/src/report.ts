import { runComponent, strongestAction, worst, type CheckResult, type Component, type Health, type SuggestedAction } from './components/component.js';
import type { GpuSample } from './model.js';
import type { HostSnapshot } from './snapshot.js';

export interface ComponentReport {
  readonly name: string;
  readonly health: Health;
  readonly results: readonly CheckResult[];
}

export interface GpuReport {
  readonly index: number;
  readonly uuid: string;
  readonly name: string | null;
  readonly serial: string | null;
  readonly pciBusId: string;
  /** False for a GPU the inventory knows but that no longer answers. */
  readonly present: boolean;
  readonly health: Health;
  readonly suggestedAction: SuggestedAction | null;
  /** Each component's finding about this GPU. */
  readonly checks: Readonly<Record<string, { readonly health: Health; readonly reason: string; readonly suggestedAction?: SuggestedAction }>>;
  readonly sample: GpuSample | null;
}

export interface ScanReport {
  readonly collectedAt: string;
  readonly source: HostSnapshot['source'];
  readonly driverVersion: string | null;
  readonly cudaVersion: string | null;
  readonly health: Health;
  readonly gpus: readonly GpuReport[];
  readonly components: readonly ComponentReport[];
}

/**
 * Runs every supported component over a snapshot and gathers the findings per GPU. `previous`,
 * an earlier pass of the same host, lets counters be judged by their rate; without it (a
 * one-shot scan) they are reported as totals and judged only where a total means a fault.
 */
export function scan(snapshot: HostSnapshot, components: readonly Component[], previous: HostSnapshot | null = null): ScanReport {
  const reports: ComponentReport[] = components
    .filter((c) => c.isSupported(snapshot))
    .map((c) => {
      const results = runComponent(c, snapshot, previous);
      return { name: c.name, health: worst(results.map((r) => r.health)), results };
    });
  // Each GPU's results, by component in the components' order: one pass over all results.
  const byGpu = new Map<number, Map<string, CheckResult[]>>();
  for (const c of reports) {
    for (const r of c.results) {
      if (r.gpu === undefined) continue;
      let mine = byGpu.get(r.gpu);
      if (!mine) byGpu.set(r.gpu, (mine = new Map()));
      const of = mine.get(c.name);
      if (of) of.push(r);
      else mine.set(c.name, [r]);
    }
  }
  const gpuReport = (index: number, uuid: string, pciBusId: string, sample: GpuSample | null): GpuReport => {
    const checks: Record<string, { health: Health; reason: string; suggestedAction?: SuggestedAction }> = {};
    for (const [name, mine] of byGpu.get(index) ?? []) {
      const action = strongestAction(mine.map((r) => r.suggestedAction));
      checks[name] = { health: worst(mine.map((r) => r.health)), reason: mine.map((r) => r.reason).join('; '), ...(action ? { suggestedAction: action } : {}) };
    }
    const states = Object.values(checks);
    const actionable = states.filter((c) => c.health !== 'healthy');
    return {
      index,
      uuid,
      name: sample?.identity.name ?? null,
      serial: sample?.identity.serial ?? null,
      pciBusId,
      present: sample !== null,
      health: worst(states.map((c) => c.health)),
      suggestedAction: strongestAction(actionable.map((c) => c.suggestedAction)) ?? null,
      checks,
      sample,
    };
  };
  const gpus = [
    ...snapshot.gpus.map((g) => gpuReport(g.identity.index, g.identity.uuid, g.identity.pciBusId, g)),
    ...snapshot.missingGpus.map((m) => gpuReport(m.index, m.uuid, m.pciBusId, null)),
  ].sort((a, b) => a.index - b.index);
  return {
    collectedAt: snapshot.collectedAt,
    source: snapshot.source,
    driverVersion: snapshot.driverVersion,
    cudaVersion: snapshot.cudaVersion,
    health: worst(reports.map((r) => r.health)),
    gpus,
    components: reports,
  };
}
