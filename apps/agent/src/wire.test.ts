import { describe, expect, it } from 'vitest';
import type { Health } from './components/component.js';
import type { ScanReport } from './report.js';
import { healthChanges } from './wire.js';

const report = (results: { gpu?: number; health: Health; reason: string }[]): ScanReport =>
  ({ gpus: [0, 1].map((index) => ({ index, uuid: `GPU-${index}` })), components: [{ name: 'gpu-count', health: 'healthy', results }] }) as unknown as ScanReport;
let n = 0;
const ids = () => `id-${++n}`;

describe('health changes', () => {
  it('say nothing about a first healthy scan, then report each change once', () => {
    const memory = new Map<string, Health>();
    expect(healthChanges(memory, report([{ health: 'healthy', reason: '2 GPUs present' }]), 't0', ids)).toEqual([]);
    const lost = healthChanges(memory, report([{ gpu: 1, health: 'unhealthy', reason: 'GPU 1 no longer answers' }]), 't1', ids);
    expect(lost).toMatchObject([{ kind: 'health', component: 'gpu-count', gpu: 'GPU-1', health: 'unhealthy', reason: 'GPU 1 no longer answers' }]);
    expect(healthChanges(memory, report([{ gpu: 1, health: 'unhealthy', reason: 'GPU 1 no longer answers' }]), 't2', ids)).toEqual([]);
  });

  it('clear a per-GPU finding that the component no longer reports, so the server does not keep it', () => {
    const memory = new Map<string, Health>();
    healthChanges(memory, report([{ health: 'healthy', reason: '2 GPUs present' }]), 't0', ids);
    healthChanges(memory, report([{ gpu: 1, health: 'unhealthy', reason: 'GPU 1 no longer answers' }]), 't1', ids);
    const back = healthChanges(memory, report([{ health: 'healthy', reason: '2 GPUs present' }]), 't2', ids);
    expect(back).toMatchObject([{ component: 'gpu-count', gpu: 'GPU-1', health: 'healthy', reason: 'GPU 1: cleared (2 GPUs present)', suggestedAction: null }]);
    expect(healthChanges(memory, report([{ health: 'healthy', reason: '2 GPUs present' }]), 't3', ids)).toEqual([]);
  });

  it('clear a finding only in the component that stopped reporting it', () => {
    const two = (thermal: { gpu?: number; health: Health; reason: string }[], ecc: { gpu?: number; health: Health; reason: string }[]): ScanReport =>
      ({
        gpus: [0, 1].map((index) => ({ index, uuid: `GPU-${index}` })),
        components: [
          { name: 'thermal', health: 'healthy', results: thermal },
          { name: 'ecc', health: 'healthy', results: ecc },
        ],
      }) as unknown as ScanReport;
    const memory = new Map<string, Health>();
    const hot = { gpu: 1, health: 'degraded' as const, reason: 'GPU 1 at 91 C' };
    const dbe = { gpu: 1, health: 'unhealthy' as const, reason: 'GPU 1: 1 uncorrectable ECC error' };
    const cool = { health: 'healthy' as const, reason: 'all cool' };
    expect(healthChanges(memory, two([cool, hot], [dbe]), 't0', ids)).toMatchObject([{ component: 'thermal', health: 'degraded' }, { component: 'ecc', health: 'unhealthy' }]);
    const cooled = healthChanges(memory, two([cool], [dbe]), 't1', ids);
    expect(cooled).toMatchObject([{ component: 'thermal', gpu: 'GPU-1', health: 'healthy', reason: 'GPU 1: cleared (all cool)' }]);
    expect(memory.get('ecc|1')).toBe('unhealthy');
    expect(healthChanges(memory, two([cool], [dbe]), 't2', ids)).toEqual([]);
  });

  it('cut a reason past the 2000 characters the server takes, so the batch is not refused', () => {
    const [event] = healthChanges(new Map(), report([{ health: 'unhealthy', reason: 'x'.repeat(5000) }]), 't0', ids);
    const reason = (event as { reason: string }).reason;
    expect(reason).toHaveLength(2000);
    expect(reason.endsWith('x…')).toBe(true);
  });
});
