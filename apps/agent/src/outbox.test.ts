import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventWire, SampleWire } from '@locus/protocol';
import { Outbox } from './outbox.js';

const opened: Outbox[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function outbox(maxItems?: number, path = join(mkdtempSync(join(tmpdir(), 'locus-outbox-')), 'outbox.db')) {
  const o = await Outbox.open(path, maxItems);
  opened.push(o);
  return { o, path };
}

const sample = (n: number): SampleWire => ({ at: new Date(n * 1000).toISOString(), gpus: [] });
const event = (n: number): EventWire => ({ kind: 'health', id: randomUUID(), at: new Date(n * 1000).toISOString(), component: 'ecc', gpu: null, health: 'degraded', reason: `r${n}`, suggestedAction: null });
let ids = 0;
const nextId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;

describe('the agent outbox', () => {
  it('sends events before samples, in order, and forgets a batch only when acknowledged', async () => {
    const { o } = await outbox();
    await o.addSample(sample(1), 1);
    await o.addEvent(event(2), 2);
    await o.addSample(sample(3), 3);
    const batch = (await o.nextBatch(10, nextId, 100))!;
    expect(batch.events.map((e) => (e as { reason: string }).reason)).toEqual(['r2']);
    expect(batch.samples.map((s) => s.at)).toEqual([sample(1).at, sample(3).at]);
    expect(batch.batchedAt).toBe(100);
    expect(await o.nextBatch(10, nextId, 200)).toEqual(batch);
    await o.acknowledge(batch.batchId);
    expect(await o.nextBatch(10, nextId, 300)).toBeUndefined();
  });

  it('keeps an unacknowledged batch, with its id and items, across a reopen (a crash)', async () => {
    const { o, path } = await outbox();
    for (let i = 0; i < 5; i++) await o.addSample(sample(i), i);
    const first = (await o.nextBatch(3, nextId, 10))!;
    await o.addEvent(event(9), 9);
    await o.close();
    opened.pop();
    const again = await Outbox.open(path);
    opened.push(again);
    expect(await again.nextBatch(3, nextId, 20)).toEqual(first);
    await again.acknowledge(first.batchId);
    const second = (await again.nextBatch(10, nextId, 30))!;
    expect(second.batchId).not.toBe(first.batchId);
    expect(second.events).toHaveLength(1);
    expect(second.samples).toHaveLength(2);
  });

  it('drops the oldest samples first when full, events only when nothing else is left, and counts what it dropped', async () => {
    const { o } = await outbox(4);
    await o.addEvent(event(1), 1);
    for (let i = 2; i <= 5; i++) await o.addSample(sample(i), i);
    expect(await o.size()).toEqual({ samples: 3, events: 1 });
    expect(o.dropped).toEqual({ samples: 1, events: 0 });
    for (let i = 6; i <= 9; i++) await o.addEvent(event(i), i);
    expect(await o.size()).toEqual({ samples: 0, events: 4 });
    expect(o.dropped).toEqual({ samples: 4, events: 1 });
    // A pass's commit holds the bound too.
    await o.commit({ events: [event(10)], sample: sample(10), state: {} }, 10);
    expect(await o.size()).toEqual({ samples: 0, events: 4 });
    expect(o.dropped).toEqual({ samples: 5, events: 2 });
    const batch = (await o.nextBatch(10, nextId, 0))!;
    expect(batch.events.map((e) => (e as { reason: string }).reason)).toEqual(['r7', 'r8', 'r9', 'r10']);
  });

  it('wipes everything', async () => {
    const { o } = await outbox();
    await o.addSample(sample(1), 1);
    await o.wipe();
    expect(await o.size()).toEqual({ samples: 0, events: 0 });
  });

  it('cuts a batch at its byte budget, always taking at least one item, and puts a refused batch back', async () => {
    const { o } = await outbox();
    for (let i = 1; i <= 5; i++) await o.addSample(sample(i), i);
    const bytes = JSON.stringify(sample(1)).length;
    const two = (await o.nextBatch(10, nextId, 100, bytes * 2 + 1))!;
    expect(two.samples.map((x) => x.at)).toEqual([sample(1).at, sample(2).at]);
    await o.unbatch(two.batchId);
    const one = (await o.nextBatch(10, nextId, 200, 1))!;
    expect(one.batchId).not.toBe(two.batchId);
    expect(one.samples.map((x) => x.at)).toEqual([sample(1).at]);
    await o.acknowledge(one.batchId);
    expect((await o.nextBatch(10, nextId, 300))!.samples).toHaveLength(4);
  });
});
