import { describe, expect, it } from 'vitest';
import { sampleColumns } from '@locus/protocol';
import type { GpuSampleRepo, Storage } from '@locus/storage';
import { BatchWriter, type CheckedBatch, type WriteOutcome } from './writer.js';

const NODE = { id: 'n1', org_id: 'o', name: 'n1', host_key: 'k', claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null, last_refusal_at: null, last_refusal_code: null, last_refusal_message: null, agent_version: null };

const batch = (batchId: string): CheckedBatch => ({
  batchId,
  // An event sends the batch through the repositories' transaction (the fake's only way in).
  events: [{ id: `e-${batchId}`, kind: 'xid', at: '2026-11-29T12:00:00.000Z', gpuUuid: 'GPU-a', xid: 79, message: 'fallen off the bus' }] as unknown as CheckedBatch['events'],
  instants: 1,
  columns: sampleColumns([]),
  node: NODE,
  series: { nodeKey: 1, ids: new Map() },
  now: 0,
});

const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

/**
 * A PostgreSQL storage whose transactions fail as `fail` says (by attempt, from 0) and otherwise
 * answer each batch as stored, without running the work: the writer's own handling is what is tested.
 */
function fakeStorage(fail: (attempt: number) => Error | undefined): { storage: Storage; attempts: () => number } {
  let attempts = 0;
  const db = {
    transaction: () => ({
      execute: async () => {
        const error = fail(attempts++);
        if (error) throw error;
        return [{ batchId: 'b1', duplicate: false, samples: 1, events: 1 } satisfies WriteOutcome];
      },
    }),
  };
  return { storage: { db, dialect: 'postgres', description: 'fake', close: async () => {} } as unknown as Storage, attempts: () => attempts };
}

describe('the batch writer', () => {
  it('runs a transaction that lost to a concurrent one (a deadlock) again, and answers the batch', async () => {
    const { storage, attempts } = fakeStorage((attempt) => (attempt < 2 ? deadlock() : undefined));
    const writer = new BatchWriter(storage, {} as GpuSampleRepo);
    await expect(writer.store(batch('b1'))).resolves.toEqual({ batchId: 'b1', duplicate: false, samples: 1, events: 1 });
    expect(attempts()).toBe(3);
  });

  it('gives up after a few losses, and never retries any other error', async () => {
    const lost = fakeStorage(deadlock);
    await expect(new BatchWriter(lost.storage, {} as GpuSampleRepo).store(batch('b1'))).rejects.toThrow('deadlock detected');
    expect(lost.attempts()).toBe(4);
    const broken = fakeStorage(() => Object.assign(new Error('value too long'), { code: '22001' }));
    await expect(new BatchWriter(broken.storage, {} as GpuSampleRepo).store(batch('b1'))).rejects.toThrow('value too long');
    expect(broken.attempts()).toBe(1);
  });
});
