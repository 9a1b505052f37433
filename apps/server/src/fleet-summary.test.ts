import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VerdictRecord } from '@locus/protocol';
import { migrateToLatest, openStorage, type Storage } from '@locus/storage';
import { fleetRows, fleetSummary, summarize } from './fleet.js';
import { reposOf, type Repos } from './repos.js';
import { seededRandom } from '../../../test/support/seeded-random.js';

const MODELS = ['NVIDIA H100 80GB HBM3', 'NVIDIA H200', 'NVIDIA B200'];
const STATES = ['healthy', 'unknown', 'degraded', 'unhealthy', 'some-new-state'];
const RESTRICTED = ['excluded', 'possible', 'certain'];

/** Two orgs of nodes with every case the summary counts: GPUs in and out of the inventory, health reports good and bad, verdict ties, unenrolled nodes, agent versions. */
async function seedFleet(repos: Repos, seed: number): Promise<void> {
  const next = seededRandom(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  for (const org of ['org-a', 'org-b']) await repos.orgs.create({ id: org, name: org, created_at: 0 });
  for (let n = 0; n < 40; n++) {
    const id = `node-${n}`;
    await repos.nodes.create({ id, org_id: next() < 0.7 ? 'org-a' : 'org-b', name: `n${n}`, host_key: `key-${n}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    // Agents of two versions, and some that do not say theirs.
    if (next() < 0.8) await repos.telemetry.setInventory(id, next() < 0.9 ? { agentVersion: pick(['0.1.0', '0.2.0']) } : {}, 1);
    const gpus = Array.from({ length: Math.floor(next() * 5) }, (_, g) => ({ uuid: `GPU-${n}-${g}`, serial: `S${n}${g}`, name: pick(MODELS), pci_bus_id: `0000:${g}0:00.0` }));
    if (gpus.length > 0) await repos.telemetry.seeGpus(id, gpus, 1);
    // Health of inventoried GPUs, of GPUs the inventory lacks, and of the node as a whole.
    for (let h = 0; h < Math.floor(next() * 4); h++) {
      const gpu = next() < 0.2 ? null : next() < 0.7 && gpus.length > 0 ? pick(gpus).uuid : `GPU-${n}-lost-${h % 2}`;
      await repos.telemetry.noteHealth(id, { id: `e-${n}-${h}`, at: 10 + h, component: `c${h % 3}`, gpu, health: pick(STATES), reason: 'test', suggestedAction: null });
    }
    // Verdicts, some stored in the same millisecond (the larger id is the newest).
    for (let v = 0; v < Math.floor(next() * 3); v++) {
      const record = { restricted: pick(RESTRICTED), claim: null } as unknown as VerdictRecord;
      await repos.verdicts.insert({ id: `v-${n}-${Math.floor(next() * 100)}-${v}`, nodeId: id, computedAt: 100 + Math.floor(next() * 2), measurements: 3, record, notes: [] });
    }
    if (next() < 0.15) await repos.nodes.unenroll(`key-${n}`, 50);
  }
}

describe('the fleet summary', () => {
  let storage: Storage;
  let repos: Repos;

  beforeEach(async () => {
    storage = await openStorage('sqlite::memory:');
    await migrateToLatest(storage);
    repos = reposOf(storage);
  });
  afterEach(async () => {
    await storage.close();
  });

  it('counts in the database what the per-GPU rows count', async () => {
    for (const seed of [1, 2, 3]) {
      await storage.close();
      storage = await openStorage('sqlite::memory:');
      await migrateToLatest(storage);
      repos = reposOf(storage);
      await seedFleet(repos, seed);
      for (const org of ['org-a', 'org-b']) {
        const expected = summarize(await fleetRows(repos, org));
        expect(expected.nodes, `seed ${seed}, ${org}`).toBeGreaterThan(3);
        expect(Object.values(expected.agentVersions).reduce((a, b) => a + b, 0)).toBe(expected.nodes);
        expect(await fleetSummary(repos, org), `seed ${seed}, ${org}`).toEqual(expected);
      }
    }
  });

  it('counts an empty org as empty', async () => {
    await repos.orgs.create({ id: 'org-a', name: 'A', created_at: 0 });
    expect(await fleetSummary(repos, 'org-a')).toEqual({ nodes: 0, gpus: { total: 0, byModel: {}, health: { healthy: 0, degraded: 0, unhealthy: 0, unknown: 0 } }, verdicts: { excluded: 0, possible: 0, certain: 0, none: 0 }, agentVersions: {} });
  });
});
