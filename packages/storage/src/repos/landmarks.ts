import type { Kysely, Selectable } from 'kysely';
import type { LandmarkInfo } from '@locus/protocol';
import type { Database, LandmarkTable } from '../schema.js';
import { keepRefusal, refusalOf, type Refusal } from './refusal.js';

const toInfo = (row: Selectable<LandmarkTable>): LandmarkInfo => ({ id: row.id, name: row.name, country: row.country, lat: row.lat, lon: row.lon, publicKey: row.public_key });

export type RegisterResult = 'created' | 'unchanged' | 'conflict' | 'key-in-use';
export type RevokeResult = 'revoked' | 'already' | 'absent';

/** A trusted landmark with when it was registered, when its newest stored measurement was taken (ms; null before the first), and its newest refusal. */
export interface LandmarkStatus {
  readonly landmark: LandmarkInfo;
  readonly registeredAt: number;
  readonly lastMeasurementAt: number | null;
  /** The newest refusal of its own (signed) measurements; null before any. */
  readonly lastRefusal: Refusal | null;
  /** Its software version, as its latest delivery that stored one of its measurements says; null before one. */
  readonly version: string | null;
}

/** Landmarks the server trusts: an id bound to one key and one audited place. */
export class LandmarkRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Registers a landmark. Re-registering the same id with the same key and place changes
   * nothing; a different key or place for a known id is a conflict (a landmark does not move),
   * and so is a revoked id (trust once withdrawn does not come back under the same name). A new
   * id with another landmark's key is 'key-in-use': each landmark has a key of its own.
   */
  async register(info: LandmarkInfo, at: number): Promise<RegisterResult> {
    const inserted = await this.#db
      .insertInto('landmarks')
      .values({ id: info.id, name: info.name, country: info.country, lat: info.lat, lon: info.lon, public_key: info.publicKey, registered_at: at, revoked_at: null })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return 'created';
    // Already there (perhaps registered a moment ago by another replica): the same, or a clash.
    const row = await this.#db.selectFrom('landmarks').select('revoked_at').where('id', '=', info.id).executeTakeFirst();
    if (!row) return 'key-in-use';
    if (row.revoked_at !== null) return 'conflict';
    const existing = await this.get(info.id);
    const same = existing !== undefined && existing.publicKey === info.publicKey && existing.lat === info.lat && existing.lon === info.lon && existing.country === info.country;
    return same ? 'unchanged' : 'conflict';
  }

  async get(id: string): Promise<LandmarkInfo | undefined> {
    const row = await this.#db.selectFrom('landmarks').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toInfo(row);
  }

  /** The landmarks trusted now: revoked ones are left out, and with them their measurements. */
  async list(): Promise<LandmarkInfo[]> {
    return (await this.#db.selectFrom('landmarks').selectAll().where('revoked_at', 'is', null).orderBy('id').execute()).map(toInfo);
  }

  /**
   * Records, per landmark id, when its newest measurement just stored was taken; a later one
   * already recorded stays (deliveries arrive out of order, a landmark's spool sends old ones).
   */
  async markMeasured(newest: ReadonlyMap<string, number>): Promise<void> {
    for (const [id, at] of newest) {
      await this.#db
        .updateTable('landmarks')
        .set({ last_measurement_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_measurement_at', 'is', null), eb('last_measurement_at', '<', at)]))
        .execute();
    }
  }

  /**
   * Records the software version a delivery named on the landmarks it stored measurements of
   * (their own, signed: a delivery of nothing new names nobody's version).
   */
  async noteVersion(ids: readonly string[], version: string): Promise<void> {
    if (ids.length === 0) return;
    await this.#db.updateTable('landmarks').set({ version }).where('id', 'in', [...ids]).where((eb) => eb.or([eb('version', 'is', null), eb('version', '!=', version)])).execute();
  }

  /**
   * Records, per landmark id, the newest refusal of its own measurements (those its key signed:
   * nobody else can make a landmark look refused); a later one already recorded stays.
   */
  async markRefused(refusals: ReadonlyMap<string, Refusal>): Promise<void> {
    for (const [id, r] of refusals) await keepRefusal(this.#db, 'landmarks', id, r);
  }

  /** The landmarks trusted now, each with when it was registered, when its newest stored measurement was taken (ms; null before the first) and its newest refusal. */
  async status(): Promise<LandmarkStatus[]> {
    const rows = await this.#db.selectFrom('landmarks').selectAll().where('revoked_at', 'is', null).orderBy('id').execute();
    return rows.map((row) => ({
      landmark: toInfo(row),
      registeredAt: Number(row.registered_at),
      lastMeasurementAt: row.last_measurement_at === null ? null : Number(row.last_measurement_at),
      lastRefusal: refusalOf(row),
      version: row.version,
    }));
  }

  /** When each of these landmarks was revoked, for those that were (a refusal then says so, not "not registered"). */
  async revokedAt(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.#db.selectFrom('landmarks').select(['id', 'revoked_at']).where('id', 'in', [...ids]).where('revoked_at', 'is not', null).execute();
    return new Map(rows.map((r) => [r.id, Number(r.revoked_at)]));
  }

  /** Withdraws trust in a landmark: its measurements, stored or new, count no more. */
  async revoke(id: string, at: number): Promise<RevokeResult> {
    const row = await this.#db.selectFrom('landmarks').select('revoked_at').where('id', '=', id).executeTakeFirst();
    if (!row) return 'absent';
    if (row.revoked_at !== null) return 'already';
    await this.#db.updateTable('landmarks').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    return 'revoked';
  }
}
