import type { Kysely } from 'kysely';
import type { Database, EventTable, GpuTable } from '../schema.js';

/** What agents report: inventory, GPUs, batches (for idempotency), samples and events. */
export class TelemetryRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Records a batch id; false if it was already received (the batch is then skipped whole). */
  async claimBatch(batchId: string, nodeId: string, at: number): Promise<boolean> {
    const r = await this.#db.insertInto('ingest_batches').values({ batch_id: batchId, node_id: nodeId, received_at: at }).onConflict((oc) => oc.column('batch_id').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async setInventory(nodeId: string, inventory: unknown, at: number): Promise<void> {
    const text = JSON.stringify(inventory);
    await this.#db
      .insertInto('node_inventory')
      .values({ node_id: nodeId, inventory: text, updated_at: at })
      .onConflict((oc) => oc.column('node_id').doUpdateSet({ inventory: text, updated_at: at }))
      .execute();
  }

  async inventory(nodeId: string): Promise<{ inventory: unknown; updatedAt: number } | undefined> {
    const row = await this.#db.selectFrom('node_inventory').selectAll().where('node_id', '=', nodeId).executeTakeFirst();
    return row && { inventory: JSON.parse(row.inventory) as unknown, updatedAt: row.updated_at };
  }

  /** Records the GPUs a node reports, keeping when each was first and last seen. */
  async seeGpus(nodeId: string, gpus: readonly Omit<GpuTable, 'node_id' | 'first_seen_at' | 'last_seen_at'>[], at: number): Promise<void> {
    for (const g of gpus) {
      await this.#db
        .insertInto('gpus')
        .values({ ...g, node_id: nodeId, first_seen_at: at, last_seen_at: at })
        .onConflict((oc) => oc.columns(['node_id', 'uuid']).doUpdateSet({ serial: g.serial, name: g.name, pci_bus_id: g.pci_bus_id, last_seen_at: at }))
        .execute();
    }
  }

  gpus(nodeId: string): Promise<GpuTable[]> {
    return this.#db.selectFrom('gpus').selectAll().where('node_id', '=', nodeId).orderBy('pci_bus_id').execute();
  }

  /** Other nodes that report the same GPU (by UUID or serial): a copied identity or a moved board. */
  async sameGpuElsewhere(nodeId: string, uuids: readonly string[], serials: readonly string[]): Promise<GpuTable[]> {
    if (uuids.length === 0 && serials.length === 0) return [];
    return this.#db
      .selectFrom('gpus')
      .selectAll()
      .where('node_id', '!=', nodeId)
      .where((eb) => eb.or([...(uuids.length ? [eb('uuid', 'in', uuids)] : []), ...(serials.length ? [eb('serial', 'in', serials)] : [])]))
      .execute();
  }

  async addSamples(nodeId: string, samples: readonly { gpuUuid: string; at: number; metrics: unknown }[]): Promise<void> {
    if (samples.length === 0) return;
    await this.#db
      .insertInto('samples')
      .values(samples.map((s) => ({ node_id: nodeId, gpu_uuid: s.gpuUuid, at: s.at, metrics: JSON.stringify(s.metrics) })))
      .execute();
  }

  async samples(nodeId: string, gpuUuid: string | undefined, since: number, limit: number): Promise<{ gpuUuid: string; at: number; metrics: unknown }[]> {
    let q = this.#db.selectFrom('samples').selectAll().where('node_id', '=', nodeId).where('at', '>=', since);
    if (gpuUuid !== undefined) q = q.where('gpu_uuid', '=', gpuUuid);
    const rows = await q.orderBy('at').limit(limit).execute();
    return rows.map((r) => ({ gpuUuid: r.gpu_uuid, at: r.at, metrics: JSON.parse(r.metrics) as unknown }));
  }

  /** When the node's agent last delivered a batch, or null if it never has. */
  async lastIngestAt(nodeId: string): Promise<number | null> {
    const row = await this.#db.selectFrom('ingest_batches').select((eb) => eb.fn.max('received_at').as('at')).where('node_id', '=', nodeId).executeTakeFirst();
    return row?.at === null || row?.at === undefined ? null : Number(row.at);
  }

  /** The latest body of each event of `kind`, keyed by `keyOf(body)`, oldest first. */
  async latestEvents<T>(nodeId: string, kind: string, keyOf: (body: T) => string): Promise<T[]> {
    const rows = await this.#db.selectFrom('events').select('body').where('node_id', '=', nodeId).where('kind', '=', kind).orderBy('at').orderBy('id').execute();
    const latest = new Map<string, T>();
    for (const r of rows) {
      const body = JSON.parse(r.body) as T;
      latest.delete(keyOf(body));
      latest.set(keyOf(body), body);
    }
    return [...latest.values()];
  }

  /** Stores an event unless its id is known; false for a repeat. */
  async addEvent(event: EventTable): Promise<boolean> {
    const r = await this.#db.insertInto('events').values(event).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async events(nodeId: string, since: number, limit: number): Promise<{ id: string; kind: string; at: number; body: unknown }[]> {
    const rows = await this.#db.selectFrom('events').selectAll().where('node_id', '=', nodeId).where('at', '>=', since).orderBy('at').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, kind: r.kind, at: r.at, body: JSON.parse(r.body) as unknown }));
  }
}
