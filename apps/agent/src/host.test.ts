import { describe, expect, it } from 'vitest';
import { HOST_REFRESH_MS, hostInventory, hostInventoryReader, type HostInventory } from './host.js';

describe('host inventory', () => {
  it('reads this machine, under the name it is given', () => {
    const host = hostInventory({ hostname: 'gpu-node-7' });
    expect(host.hostname).toBe('gpu-node-7');
    expect(host.cpu.cores).toBeGreaterThan(0);
    expect(host.memoryBytes).toBeGreaterThan(0);
  });

  it('is read again each pass only after HOST_REFRESH_MS of pass time, or when the clock stepped back', () => {
    let reads = 0;
    const read = hostInventoryReader({ read: () => ({ ...hostInventory({ hostname: 'n' }), cpu: { model: 'EPYC', cores: 64 + reads++ } }) as HostInventory });
    const t0 = Date.parse('2026-11-29T12:00:00Z');
    const cores = (ms: number) => read(new Date(t0 + ms)).cpu.cores;
    expect([cores(0), cores(10_000), cores(HOST_REFRESH_MS - 1)]).toEqual([64, 64, 64]);
    expect(cores(HOST_REFRESH_MS)).toBe(65);
    expect(cores(HOST_REFRESH_MS + 10_000)).toBe(65);
    expect(cores(5_000)).toBe(66);
    expect(reads).toBe(3);
  });
});
