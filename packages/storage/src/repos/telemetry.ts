import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, EventTable, GpuTable } from '../schema.js';
import type { NodeRecord } from './nodes.js';
import { bySlices, groupBy } from './slices.js';

/** A GPU as stored: what its node's inventories said of it, and since when the latest lacks it. */
export type GpuRecord = Selectable<GpuTable>;

export interface LatestHealth {
  readonly nodeId: string;
  readonly component: string;
  /** null for the host. */
  readonly gpu: string | null;
  readonly health: string;
  readonly reason: string;
  readonly suggestedAction: string | null;
  readonly at: number;
}

/** What claiming a batch id found (TelemetryRepo.claimBatch, SampleBatchStore). */
export type BatchClaim = 'claimed' | 'duplicate' | 'not-enrolled';

/** What agents report: inventory, GPUs, batches (for idempotency) and events; samples are in GpuSampleRepo. */
/**
 * When a node is silent, for silenceChanges: one whose alert fires stays silent while its latest
 * batch came before `silentBefore`; one without becomes silent when its latest came before
 * `newlySilentBefore` (earlier, or never, while the servers have not been up long enough to tell).
 */
export interface SilenceCutoffs {
  readonly silentBefore: number;
  readonly newlySilentBefore: number;
}

/**
 * Whether node `n` has been quiet since before `before`: its agent's latest batch came before it,
 * or, none ever stored, a batch of its agent's was refused and it enrolled before it (alerts'
 * silentSince).
 */
const quietBefore = (before: number) =>
  sql<boolean>`coalesce((select max(b.received_at) from ingest_batches as b where b.node_id = n.id) < ${before}, n.last_refusal_at is not null and n.created_at < ${before})`;

export class TelemetryRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Records a batch id for a node that is enrolled: 'claimed'; 'duplicate' for an id received
   * before (the batch is then skipped whole); 'not-enrolled', writing nothing, when the node has
   * been unenrolled (here or by another server on the same database) or is unknown. Checked in
   * the claim itself, so that a server may keep a node it read earlier (see the ingest route).
   */
  async claimBatch(batchId: string, nodeId: string, at: number): Promise<BatchClaim> {
    const r = await this.#db
      .insertInto('ingest_batches')
      .columns(['batch_id', 'node_id', 'received_at'])
      .expression((eb) =>
        eb
          .selectFrom('nodes')
          .select([sql<string>`cast(${batchId} as text)`.as('batch_id'), 'id', sql<number>`cast(${at} as bigint)`.as('received_at')])
          .where('id', '=', nodeId)
          .where('unenrolled_at', 'is', null),
      )
      .onConflict((oc) => oc.column('batch_id').doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 1) return 'claimed';
    const node = await this.#db.selectFrom('nodes').select('id').where('id', '=', nodeId).where('unenrolled_at', 'is', null).executeTakeFirst();
    return node ? 'duplicate' : 'not-enrolled';
  }

  /** The node's inventory as its agent last sent it, and the agent version it names (kept on the node, for lists and filters). */
  async setInventory(nodeId: string, inventory: object, at: number): Promise<void> {
    const text = JSON.stringify(inventory);
    await this.#db
      .insertInto('node_inventory')
      .values({ node_id: nodeId, inventory: text, updated_at: at })
      .onConflict((oc) => oc.column('node_id').doUpdateSet({ inventory: text, updated_at: at }))
      .execute();
    const { agentVersion } = inventory as { agentVersion?: unknown };
    await this.#db.updateTable('nodes').set({ agent_version: typeof agentVersion === 'string' ? agentVersion : null }).where('id', '=', nodeId).execute();
  }

  async inventory(nodeId: string): Promise<{ inventory: unknown; updatedAt: number } | undefined> {
    const row = await this.#db.selectFrom('node_inventory').selectAll().where('node_id', '=', nodeId).executeTakeFirst();
    return row && { inventory: JSON.parse(row.inventory) as unknown, updatedAt: row.updated_at };
  }

  /** Records where the node's agent reached the server from at `at`; the same address again keeps its `since`. */
  async setAddress(nodeId: string, address: string, at: number): Promise<void> {
    await this.#db
      .insertInto('node_addresses')
      .values({ node_id: nodeId, address, since: at })
      .onConflict((oc) => oc.column('node_id').doUpdateSet({ address, since: at }).where('node_addresses.address', '!=', address))
      .execute();
  }

  /** The addresses enrolled nodes last came from, at most `limit`. */
  addresses(limit: number): Promise<{ node_id: string; address: string }[]> {
    return this.#db
      .selectFrom('node_addresses as a')
      .innerJoin('nodes as n', 'n.id', 'a.node_id')
      .select(['a.node_id', 'a.address'])
      .where('n.unenrolled_at', 'is', null)
      .limit(limit)
      .execute();
  }

  async address(nodeId: string): Promise<{ address: string; since: number } | undefined> {
    const row = await this.#db.selectFrom('node_addresses').select(['address', 'since']).where('node_id', '=', nodeId).executeTakeFirst();
    return row && { address: row.address, since: Number(row.since) };
  }

  /**
   * Records the GPUs a node's inventory of `at` lists, keeping when each was first and last
   * listed; its other GPUs are missing since `at` unless they were already (and one listed again
   * is missing no more).
   */
  async seeGpus(nodeId: string, gpus: readonly Omit<GpuTable, 'node_id' | 'first_seen_at' | 'last_seen_at' | 'missing_since'>[], at: number): Promise<void> {
    for (const g of gpus) {
      await this.#db
        .insertInto('gpus')
        .values({ ...g, node_id: nodeId, first_seen_at: at, last_seen_at: at })
        .onConflict((oc) => oc.columns(['node_id', 'uuid']).doUpdateSet({ serial: g.serial, name: g.name, pci_bus_id: g.pci_bus_id, last_seen_at: at, missing_since: null }))
        .execute();
    }
    await this.#db.updateTable('gpus').set({ missing_since: at }).where('node_id', '=', nodeId).where('last_seen_at', '<', at).where('missing_since', 'is', null).execute();
  }

  /**
   * GPUs each of these nodes once reported that its latest inventory lacks (fallen off the bus,
   * removed or swapped), oldest seen first; none before a node's first inventory. Nodes missing
   * none are absent. Each has its `missing_since` (the latest inventory's time for one whose
   * inventory came without its GPUs being recorded).
   */
  async missingGpus(nodeIds: readonly string[]): Promise<Map<string, (GpuRecord & { missing_since: number })[]>> {
    // First the few nodes that miss any, each asked of its own GPUs through the index (a subquery
    // per node, which PostgreSQL runs as such: a join had it read the whole gpus table for every
    // slice of a sweep, its cheaper plan by its estimate up to some 100,000 GPUs); then their GPUs.
    const missing = await bySlices(nodeIds, (slice) =>
      this.#db
        .selectFrom('node_inventory as i')
        .select('i.node_id')
        .where('i.node_id', 'in', slice)
        .where((eb) => eb(eb.selectFrom('gpus as g').select((g) => g.fn.countAll().as('n')).whereRef('g.node_id', '=', 'i.node_id').whereRef('g.last_seen_at', '<', 'i.updated_at'), '>', 0))
        .execute(),
    );
    const some = missing.map((m) => m.node_id);
    const rows = await bySlices(some, (slice) =>
      this.#db
        .selectFrom('gpus')
        .innerJoin('node_inventory', 'node_inventory.node_id', 'gpus.node_id')
        .select(['gpus.node_id', 'gpus.uuid', 'gpus.serial', 'gpus.name', 'gpus.pci_bus_id', 'gpus.first_seen_at', 'gpus.last_seen_at'])
        .select((eb) => eb.fn.coalesce('gpus.missing_since', 'node_inventory.updated_at').as('missing_since'))
        .where('gpus.node_id', 'in', slice)
        // Said of both sides, so that PostgreSQL reads only these nodes' inventories, not all of them.
        .where('node_inventory.node_id', 'in', slice)
        .whereRef('gpus.last_seen_at', '<', 'node_inventory.updated_at')
        .orderBy('gpus.last_seen_at')
        .orderBy('gpus.uuid')
        .execute(),
    );
    return groupBy(rows, (g) => g.node_id);
  }

  /**
   * Forgets a GPU the node no longer reports (an operator took it out for good), so that it stops
   * counting as missing; a GPU in the latest inventory stays. Returns whether one was forgotten.
   */
  async forgetMissingGpu(nodeId: string, uuid: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('gpus')
      .where('node_id', '=', nodeId)
      .where('uuid', '=', uuid)
      .where((eb) => eb('last_seen_at', '<', eb.selectFrom('node_inventory').select('updated_at').where('node_inventory.node_id', '=', nodeId)))
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** The GPUs of these nodes (all of an org's, in one query per 5,000 nodes). */
  gpusOf(nodeIds: readonly string[]): Promise<GpuRecord[]> {
    return bySlices(nodeIds, (slice) => this.#db.selectFrom('gpus').selectAll().where('node_id', 'in', slice).orderBy('node_id').orderBy('pci_bus_id').execute());
  }

  /** How many GPUs of each model (inventory name) an org's enrolled nodes have, by name. */
  async gpuModelCounts(orgId: string): Promise<Record<string, number>> {
    const rows = await this.#db
      .selectFrom('gpus as g')
      .innerJoin('nodes as n', 'n.id', 'g.node_id')
      .select(['g.name', (eb) => eb.fn.countAll().as('count')])
      .where('n.org_id', '=', orgId)
      .where('n.unenrolled_at', 'is', null)
      .groupBy('g.name')
      .orderBy('g.name')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.count)]));
  }

  gpus(nodeId: string): Promise<GpuRecord[]> {
    return this.#db.selectFrom('gpus').selectAll().where('node_id', '=', nodeId).orderBy('pci_bus_id').execute();
  }

  /** Other nodes that report the same GPU (by UUID or serial): a copied identity or a moved board. */
  async sameGpuElsewhere(nodeId: string, uuids: readonly string[], serials: readonly string[]): Promise<GpuRecord[]> {
    if (uuids.length === 0 && serials.length === 0) return [];
    return this.#db
      .selectFrom('gpus')
      .selectAll()
      .where('node_id', '!=', nodeId)
      .where((eb) => eb.or([...(uuids.length ? [eb('uuid', 'in', uuids)] : []), ...(serials.length ? [eb('serial', 'in', serials)] : [])]))
      .execute();
  }

  /** When the node's agent's latest stored batch came (ms), enrolled or not; null before the first. */
  async lastIngest(nodeId: string): Promise<number | null> {
    const row = await this.#db.selectFrom('ingest_batches').select((b) => b.fn.max('received_at').as('at')).where('node_id', '=', nodeId).executeTakeFirst();
    return row?.at === null || row?.at === undefined ? null : Number(row.at);
  }

  /**
   * When each enrolled node of an org (only these if `nodeIds` is given; unenrolled ones too with
   * `unenrolledToo`) last delivered a batch; nodes that never have are absent. One index probe per node.
   */
  async lastIngestsByOrg(orgId: string, nodeIds?: readonly string[], unenrolledToo = false): Promise<Map<string, number>> {
    const query = (slice?: readonly string[]) => {
      const q = this.#db
        .selectFrom('nodes as n')
        .select((eb) => ['n.id', 'n.org_id', 'n.unenrolled_at', eb.selectFrom('ingest_batches as b').select((b) => b.fn.max('b.received_at').as('m')).whereRef('b.node_id', '=', 'n.id').as('at')]);
      // Given ids, the query names them alone (the org is checked on the rows), so that the
      // database finds them by key rather than reading all of the org's nodes for each slice.
      return (slice ? q.where('n.id', 'in', slice) : q.where('n.org_id', '=', orgId)).execute();
    };
    const rows = nodeIds ? await bySlices(nodeIds, query) : await query();
    return new Map(rows.flatMap((r) => (r.org_id !== orgId || (r.unenrolled_at !== null && !unenrolledToo) || r.at === null || r.at === undefined ? [] : [[r.id, Number(r.at)] as const])));
  }

  /**
   * Of at most `limit` nodes of any org after `after` in id order, those whose silence is not what
   * their alerts say: enrolled nodes quiet since before `newlySilentBefore` (quietBefore) without
   * a firing alert of `kind` (silence), and nodes with one not quiet since before `silentBefore`
   * (their agent reported since), or that left. Two index lookups a node: the
   * alert sweep asks it every run, between its full sweeps, of every node. `last` is the last id
   * read, undefined past the last node.
   */
  async silenceChanges(kind: string, { silentBefore, newlySilentBefore }: SilenceCutoffs, after: string, limit: number): Promise<{ nodes: NodeRecord[]; last: string | undefined }> {
    const slice = this.#db.selectFrom('nodes').selectAll().where('id', '>', after).orderBy('id').limit(limit);
    const last = await this.#db.selectFrom(slice.as('s')).select((eb) => eb.fn.max('s.id').as('id')).executeTakeFirst();
    if (last?.id === null || last?.id === undefined) return { nodes: [], last: undefined };
    const nodes = await this.#db
      .selectFrom(slice.as('n'))
      .selectAll()
      .where(
        sql<boolean>`case when exists (select 1 from alerts as a where a.org_id = n.org_id and a.node_id = n.id and a.kind = ${kind} and a.state = 'firing')
          then not (n.unenrolled_at is null and ${quietBefore(silentBefore)})
          else n.unenrolled_at is null and ${quietBefore(newlySilentBefore)} end`,
      )
      .orderBy('n.id')
      .execute();
    return { nodes, last: last.id };
  }

  /**
   * Forgets at most `limit` batch ids of these nodes received before `before`, keeping each
   * node's latest (silence alerts read it); returns how many went. A batch re-sent after its id
   * was forgotten is stored again: samples already stored are skipped, events by their ids.
   */
  async expireBatches(nodeIds: readonly string[], before: number, limit: number): Promise<number> {
    if (nodeIds.length === 0) return 0;
    const result = await sql`delete from ingest_batches where batch_id in (
      select b.batch_id from ingest_batches as b where b.node_id in (${sql.join(nodeIds)}) and b.received_at < ${before}
      and b.received_at < (select max(m.received_at) from ingest_batches as m where m.node_id = b.node_id) limit ${limit})`.execute(this.#db);
    return Number(result.numAffectedRows ?? 0n);
  }

  /**
   * Keeps a health event as its component's latest for the node, unless a newer one is kept; of
   * two at the same instant, the one stored later (the later of a batch's events) wins.
   */
  async noteHealth(nodeId: string, e: { readonly id: string; readonly at: number; readonly component: string; readonly gpu: string | null; readonly health: string; readonly reason: string; readonly suggestedAction: string | null }): Promise<void> {
    await this.#db
      .insertInto('node_health')
      .values({ node_id: nodeId, component: e.component, gpu: e.gpu ?? '', health: e.health, reason: e.reason, suggested_action: e.suggestedAction, at: e.at, event_id: e.id })
      .onConflict((oc) =>
        oc
          .columns(['node_id', 'component', 'gpu'])
          .doUpdateSet({ health: e.health, reason: e.reason, suggested_action: e.suggestedAction, at: e.at, event_id: e.id })
          .where('node_health.at', '<=', e.at),
      )
      .execute();
  }

  /** The latest health per component and GPU of these nodes (all of an org's, in one query), oldest first. */
  async latestHealth(nodeIds: readonly string[]): Promise<LatestHealth[]> {
    const rows = await bySlices(nodeIds, (slice) => this.#db.selectFrom('node_health').selectAll().where('node_id', 'in', slice).orderBy('at').orderBy('event_id').execute());
    return rows.map((r) => ({ nodeId: r.node_id, component: r.component, gpu: r.gpu === '' ? null : r.gpu, health: r.health, reason: r.reason, suggestedAction: r.suggested_action, at: Number(r.at) }));
  }

  /**
   * For each of these nodes, the latest body of each of its events of `kind`, keyed by
   * `keyOf(body)`, oldest first; nodes without one are absent.
   */
  async latestEvents<T>(nodeIds: readonly string[], kind: string, keyOf: (body: T) => string): Promise<Map<string, T[]>> {
    const rows = await bySlices(nodeIds, (slice) => this.#db.selectFrom('events').select(['node_id', 'body']).where('node_id', 'in', slice).where('kind', '=', kind).orderBy('at').orderBy('id').execute());
    const latest = new Map<string, Map<string, T>>();
    for (const r of rows) {
      const body = JSON.parse(r.body) as T;
      const ofNode = latest.get(r.node_id) ?? new Map<string, T>();
      latest.set(r.node_id, ofNode);
      ofNode.delete(keyOf(body));
      ofNode.set(keyOf(body), body);
    }
    return new Map([...latest].map(([node, bodies]) => [node, [...bodies.values()]]));
  }

  /** How many GPUs each node of an org (only these if `nodeIds` is given) has reported; nodes with none are absent. */
  async gpuCountsByOrg(orgId: string, nodeIds?: readonly string[]): Promise<Map<string, number>> {
    if (nodeIds?.length === 0) return new Map();
    let query = this.#db
      .selectFrom('gpus as g')
      .innerJoin('nodes as n', 'n.id', 'g.node_id')
      .select((eb) => ['g.node_id', eb.fn.countAll().as('count')])
      .where('n.org_id', '=', orgId);
    if (nodeIds) query = query.where('n.id', 'in', nodeIds);
    const rows = await query
      .groupBy('g.node_id')
      .execute();
    return new Map(rows.map((r) => [r.node_id, Number(r.count)]));
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
