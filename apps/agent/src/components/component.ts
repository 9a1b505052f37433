import type { GpuSample } from '../model.js';
import type { HostSnapshot } from '../snapshot.js';

export const HEALTH_STATES = ['healthy', 'degraded', 'unhealthy', 'unknown'] as const;
export type Health = (typeof HEALTH_STATES)[number];

/** What an operator should do; the same vocabulary as the Xid catalog's actions. */
export const SUGGESTED_ACTIONS = ['none', 'restart_app', 'reset_gpu', 'reboot', 'inspect_hardware'] as const;
export type SuggestedAction = (typeof SUGGESTED_ACTIONS)[number];

/** One finding: about one GPU (by index), or about the host when `gpu` is absent. */
export interface CheckResult {
  readonly health: Health;
  readonly reason: string;
  readonly suggestedAction?: SuggestedAction;
  readonly gpu?: number;
}

/**
 * One health signal (GPUd's model). `check` returns data, never throws out of the loop: a
 * component that fails reports `unknown` with the reason. `previous` is an earlier pass to judge
 * counters by their change (null for a one-shot scan, or the daemon's first pass): driver
 * counters such as NVLink and PCIe errors count since the driver loaded, so only their rate says
 * whether something is wrong now.
 */
export interface Component {
  readonly name: string;
  isSupported(snapshot: HostSnapshot): boolean;
  check(snapshot: HostSnapshot, previous: HostSnapshot | null): readonly CheckResult[];
}

const RANK: Readonly<Record<Health, number>> = { healthy: 0, unknown: 1, degraded: 2, unhealthy: 3 };

export const worst = (states: readonly Health[]): Health => states.reduce<Health>((w, h) => (RANK[h] > RANK[w] ? h : w), 'healthy');

const ACTION_RANK: Readonly<Record<SuggestedAction, number>> = { none: 0, restart_app: 1, reset_gpu: 2, inspect_hardware: 3, reboot: 4 };

/** The strongest of several suggested actions (a reboot also resets the GPU). */
export const strongestAction = (actions: readonly (SuggestedAction | undefined)[]): SuggestedAction | undefined =>
  actions.reduce<SuggestedAction | undefined>((s, a) => (a === undefined ? s : s === undefined || ACTION_RANK[a] > ACTION_RANK[s] ? a : s), undefined);

/** Runs a component, turning anything it throws into an `unknown` result. */
export function runComponent(component: Component, snapshot: HostSnapshot, previous: HostSnapshot | null = null): readonly CheckResult[] {
  try {
    return component.check(snapshot, previous);
  } catch (error) {
    return [{ health: 'unknown', reason: `check failed: ${(error as Error).message}` }];
  }
}

/** The same GPU in an earlier pass, and how long before. */
export interface Earlier {
  readonly gpu: GpuSample;
  readonly seconds: number;
}

/**
 * Each GPU of `snapshot` in `previous`, found by UUID (indices follow enumeration order, which a
 * reboot may change): null when there is no earlier pass, the GPU was not in it, or the clock did
 * not move forward between the two. Made once per component and pass, not once per GPU.
 */
export function earlierSamples(snapshot: HostSnapshot, previous: HostSnapshot | null): (gpu: GpuSample) => Earlier | null {
  if (previous === null) return () => null;
  const seconds = (Date.parse(snapshot.collectedAt) - Date.parse(previous.collectedAt)) / 1000;
  if (!(seconds > 0)) return () => null;
  const before = new Map(previous.gpus.map((g) => [g.identity.uuid, g]));
  return (gpu) => {
    const earlier = before.get(gpu.identity.uuid);
    return earlier ? { gpu: earlier, seconds } : null;
  };
}

/** A per-GPU component: one result per GPU for which `applies` holds. */
export function perGpu(
  name: string,
  applies: (gpu: GpuSample) => boolean,
  check: (gpu: GpuSample, snapshot: HostSnapshot, earlier: Earlier | null) => Omit<CheckResult, 'gpu'>,
): Component {
  return {
    name,
    isSupported: (s) => s.gpus.some(applies),
    check: (s, previous) => {
      const earlierOf = earlierSamples(s, previous);
      return s.gpus.filter(applies).map((g) => ({ ...check(g, s, earlierOf(g)), gpu: g.identity.index }));
    },
  };
}
