import type { Kysely, Migration } from 'kysely';

interface HealthBody {
  component: string;
  gpu: string | null;
  health: string;
  reason: string;
  suggestedAction: string | null;
}
type Old = Kysely<{
  events: { id: string; node_id: string; kind: string; at: number; body: string };
  node_health: { node_id: string; component: string; gpu: string; health: string; reason: string; suggested_action: string | null; at: number; event_id: string };
}>;

/**
 * Each node's latest health per component and GPU, kept as health events arrive, so that alert
 * sweeps and fleet summaries read one row per component instead of every health event a node
 * ever sent. Filled from the events already stored.
 */
export const nodeHealth: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('node_health')
      .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
      .addColumn('component', 'text', (c) => c.notNull())
      // '' for the host: a primary key column cannot be null.
      .addColumn('gpu', 'text', (c) => c.notNull())
      .addColumn('health', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('suggested_action', 'text')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('node_health_pk', ['node_id', 'component', 'gpu'])
      .execute();
    await backfill(db as unknown as Old);
  },
};

async function backfill(db: Old): Promise<void> {
  let after: { node_id: string; at: number; id: string } | undefined;
  for (;;) {
    let page = db.selectFrom('events').select(['id', 'node_id', 'at', 'body']).where('kind', '=', 'health');
    if (after) {
      const { node_id, at, id } = after;
      page = page.where((eb) => eb(eb.refTuple('node_id', 'at', 'id'), '>', eb.tuple(node_id, at, id)));
    }
    const rows = await page.orderBy('node_id').orderBy('at').orderBy('id').limit(1000).execute();
    if (rows.length === 0) return;
    after = rows.at(-1);
    // Rows come in (node, time, id) order: within a page and across pages, a later row is the newer.
    const latest = new Map<string, { node_id: string; component: string; gpu: string; health: string; reason: string; suggested_action: string | null; at: number; event_id: string }>();
    for (const r of rows) {
      const b = JSON.parse(r.body) as HealthBody;
      const gpu = b.gpu ?? '';
      latest.set(`${r.node_id}\n${b.component}\n${gpu}`, { node_id: r.node_id, component: b.component, gpu, health: b.health, reason: b.reason, suggested_action: b.suggestedAction, at: Number(r.at), event_id: r.id });
    }
    await db
      .insertInto('node_health')
      .values([...latest.values()])
      .onConflict((oc) =>
        oc.columns(['node_id', 'component', 'gpu']).doUpdateSet((eb) => ({
          health: eb.ref('excluded.health'),
          reason: eb.ref('excluded.reason'),
          suggested_action: eb.ref('excluded.suggested_action'),
          at: eb.ref('excluded.at'),
          event_id: eb.ref('excluded.event_id'),
        })),
      )
      .execute();
  }
}
