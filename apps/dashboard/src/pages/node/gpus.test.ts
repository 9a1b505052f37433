import { describe, expect, it } from 'vitest';
import type { NodeInventory } from '../../api/types.js';
import { gpuEntries, gpuLabeller } from './gpus.js';

const record = (uuid: string, pciBusId: string) => ({ uuid, serial: null, name: 'NVIDIA H200', pciBusId, firstSeenAt: '2026-01-01T00:00:00.000Z', lastSeenAt: '2026-01-01T00:00:00.000Z', lastSampleAt: null, missing: false, missingSince: null });
const inventory = {
  gpus: [
    { index: 1, uuid: 'GPU-bbbb', name: 'NVIDIA H200', serial: null, boardPartNumber: null, pciBusId: '0000:1B:00.0', vbiosVersion: null },
    { index: 0, uuid: 'GPU-aaaa', name: 'NVIDIA H200', serial: null, boardPartNumber: null, pciBusId: '0000:18:00.0', vbiosVersion: null },
  ],
} as unknown as NonNullable<NodeInventory['inventory']>;

describe('gpuEntries', () => {
  it('orders GPUs by inventory index, then those gone, then those only events name', () => {
    const inv: NodeInventory = { inventory, updatedAt: null, gpus: [record('GPU-zzzz-gone-since-yesterday', '0000:5D:00.0'), record('GPU-bbbb', '0000:1B:00.0'), record('GPU-aaaa', '0000:18:00.0')] };
    const entries = gpuEntries(inv, ['GPU-4aa97d76-9b3d-8b74', 'GPU-aaaa']);
    expect(entries.map((g) => [g.label, g.current])).toEqual([
      ['GPU 0', true],
      ['GPU 1', true],
      ['GPU-zzzz-gon… (gone)', false],
      ['GPU-4aa97d76… (not in inventory)', false],
    ]);
    const label = gpuLabeller(entries);
    expect([label('GPU-bbbb'), label(null), label('GPU-ffffffff-0000-1111')]).toEqual(['GPU 1', 'the host', 'GPU-ffffffff…']);
  });
});
