import { DEFAULT_TRAVEL, GEO_ENGINE_VERSION, MEAN_EARTH_RADIUS, boundsAt, degrees, enclosingCap, grownRtt, km, ms, regionFromRtts, regionOutline, soleContradictions, toLatLon, travelConflict, verifyTarget, type BoundAt, type LatLon, type RttBound, type TimedBound, type World } from '@locus/geo';
import { buildProof, checkMeasurementAsync, toVerdictRecord } from '@locus/proof';
import { verifyJsonAsync, type Json, type LandmarkInfo, type ProofBundle, type ProtocolErrorCode, type SignedMeasurement, type VerdictRecord } from '@locus/protocol';
import { orderedId, type NodeRecord, type VerdictNote } from '@locus/storage';
import type { Clock } from './clock.js';
import type { ServerConfig } from './config.js';
import type { Repos } from './repos.js';

export interface IngestOutcome {
  readonly accepted: number;
  /** Already stored (a landmark retrying after a lost answer): not an error. */
  readonly duplicates: number;
  readonly rejected: readonly { readonly index: number; readonly code: ProtocolErrorCode; readonly message: string }[];
}

/** A region for maps: GeoJSON, rings oriented with the region on their left (RFC 7946). */
export interface RegionFeature {
  readonly type: 'Feature';
  readonly geometry: { readonly type: 'Polygon'; readonly coordinates: [number, number][][] } | null;
  readonly properties: { readonly empty: boolean; readonly whole: boolean; readonly estimate: LatLon | null; readonly radiusKm: number | null };
}

export interface NodeVerdict {
  readonly nodeId: string;
  readonly computedAt: string;
  readonly measurements: number;
  readonly verdict: VerdictRecord;
  readonly notes: readonly VerdictNote[];
}

/**
 * What a node's measurements in the window give at the time it is judged: per landmark and time
 * bucket of `DEFAULT_TRAVEL.bucketMs`, the least RTT and when it was first taken (oldest bucket
 * first), exactly what the check over time compares (travelConflict keeps the least of each
 * landmark in each bucket); each landmark's bound grown to that time (boundsAt: of all its
 * measurements in the window, the least RTT once grown by the way the host could have
 * travelled since), and how many measurements there are.
 */
export interface Evidence {
  readonly timed: readonly TimedBound[];
  readonly bounds: readonly BoundAt[];
  readonly measurements: number;
}

/** A landmark's bound at the judging time, with the measurement it grew from. */
export interface LandmarkBound {
  readonly landmark: LandmarkInfo;
  readonly measured: TimedBound;
  readonly bound: RttBound;
}

/** One bound per landmark of the evidence, in the order of `landmarks`, grown to the judging time. */
export function landmarkBoundsOf(evidence: Evidence, landmarks: readonly LandmarkInfo[]): LandmarkBound[] {
  const byLandmark = new Map(evidence.bounds.map((b) => [b.measured.landmark, b]));
  return landmarks.flatMap((landmark) => {
    const b = byLandmark.get(landmark.id);
    return b ? [{ landmark, measured: b.measured, bound: { lat: degrees(landmark.lat), lon: degrees(landmark.lon), rtt: b.rtt } }] : [];
  });
}

/** One bound per landmark, in the order of `landmarks`: its bound in the evidence, grown to the judging time. */
export const boundsOf = (evidence: Evidence, landmarks: readonly LandmarkInfo[]): RttBound[] => landmarkBoundsOf(evidence, landmarks).map((b) => b.bound);

/**
 * What the verdict's record does not say: measurements of the key that no single host could
 * have given (two hosts answer for it — a copied identity — or a landmark lies), and, when the
 * region is empty (`empty`), the one landmark without which the rest would fit one place.
 * `timed`: the measurements as timed bounds, oldest first (each one, or each bucket's least);
 * `bounds`: the verdict's, grown to its time.
 */
export function verdictNotes(timed: readonly TimedBound[], bounds: readonly BoundAt[], empty: boolean): VerdictNote[] {
  return [...travelNotes(timed), ...(empty ? outlierNotes(bounds) : [])];
}

function travelNotes(timed: readonly TimedBound[]): VerdictNote[] {
  const conflict = travelConflict(timed);
  if (!conflict) return [];
  const { a, b, gapKm } = conflict;
  const minutes = Math.max(1, Math.round(Math.abs(b.at - a.at) / 60_000));
  const side = (x: typeof a) => ({ landmark: x.landmark, rttMs: x.rtt, at: new Date(x.at).toISOString() });
  return [
    {
      kind: 'impossible-travel',
      message: `answered ${a.landmark} in ${a.rtt.toFixed(2)} ms and ${b.landmark} in ${b.rtt.toFixed(2)} ms within ${minutes} min: no single host can be near both (at least ${Math.round(gapKm)} km too far apart, allowing travel at ${DEFAULT_TRAVEL.maxSpeedKmPerH} km/h). Two hosts answer for this key (a copied identity), or a landmark lies.`,
      evidence: { a: side(a), b: side(b), gapKm: Math.round(gapKm) },
    },
  ];
}

/** Which single landmark's bound keeps the region empty. */
function outlierNotes(bounds: readonly BoundAt[]): VerdictNote[] {
  const suspects = soleContradictions(
    bounds.map((b) => ({ lat: b.measured.lat, lon: b.measured.lon, rtt: b.rtt, measured: b.measured })),
    'vacuum',
  );
  // Two bounds that contradict only each other name each other: nothing says which is wrong.
  if (suspects.length !== 1) return [];
  const { measured: s } = suspects[0]!;
  return [
    {
      kind: 'landmark-outlier',
      message: `the measurements fit no single place, but do without ${s.landmark}'s (${s.rtt.toFixed(2)} ms): ${s.landmark} is not where it is registered, its timing is wrong, or another host answered it for this key.`,
      evidence: { landmark: s.landmark, rttMs: s.rtt, at: new Date(s.at).toISOString() },
    },
  ];
}

/**
 * How far back a landmark's tightest bound at `now` can lie, ms: a measurement `age` old grows
 * by `age` × the travel rate, and its RTT is at least the landmark's least in the window, so it
 * can beat the tightest of the buckets' leasts grown (a bound already) only if it is younger than
 * their difference over the rate. The largest over the landmarks; 0 with no measurement.
 */
function reachOf(timed: readonly TimedBound[], bounds: readonly BoundAt[]): number {
  const least = new Map<string, number>();
  for (const b of timed) least.set(b.landmark, Math.min(least.get(b.landmark) ?? Infinity, b.rtt));
  const rate = grownRtt(ms(0), 1, DEFAULT_TRAVEL);
  // 1 ms more: measured times are whole milliseconds, and the sums above are rounded.
  return Math.max(0, ...bounds.map((b) => (b.rtt - least.get(b.measured.landmark)!) / rate + 1));
}

/** Measurements of the last this-many ms are read with every judgement's summary, at once: what a host measured every minute needs. */
const RECENT_MS = 15 * 60_000;

/**
 * The least time before a verdict on measurements is judged again as its bounds grow (20 km at
 * 1,200 km/h), when the verdict interval is shorter: at 0 (judge at every delivery), every node
 * would be due at every run of the loop.
 */
const MIN_REGROW_MS = 60_000;
/** Nodes due to be judged again, taken at a time. */
const EXPIRED_PAGE = 100;
/** How long a server's claim on due nodes holds: if it has not judged them by then, another server does. */
const CLAIM_MS = 60_000;
/** Landmarks one refused delivery may name whose signatures are checked (a landmark's names itself). */
const MAX_REFUSED_LANDMARKS = 16;

/**
 * How many nodes a server on a database server (PostgreSQL) judges at once: a judgement spends
 * most of its time waiting on its three round trips, and takes up to three connections of the
 * pool at once (Verification.verdict), so two at a time take six of its ten
 * (DEFAULT_POSTGRES_POOL) and leave ingest's four writers theirs. An in-process database (SQLite,
 * PGlite) answers on the server's own thread: there it is one at a time.
 */
export const JUDGING_AT_ONCE = 2;

/**
 * Runs `run` on every item, at most `limit` at once, starting them in order. After a failure no
 * more are started; it rejects with the first failure once those under way have ended, so that
 * nothing it started outlives it.
 */
export async function eachAtMost<T>(items: readonly T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  // A lane never rejects: it notes its failure, and every lane stops starting items.
  const lane = async () => {
    while (failures.length === 0 && next < items.length) {
      const item = items[next++]!;
      try {
        await run(item);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failures.length > 0) throw failures[0];
}

/**
 * What a verdict says, for telling whether it changed (a row in the node's history): its claim
 * and restricted states, whether its region is empty, and which restricted countries it leaves
 * possible. Not its area, radius, estimate or other possible countries: the region follows each
 * landmark's newest measurements, grown by their age, so these move with every judgement (a few
 * ms of jitter is a few hundred km) and would make a row of each.
 */
function said(record: VerdictRecord, restricted: readonly string[]): string {
  const { claimed, claim, empty } = record;
  return JSON.stringify({ claimed, claim, restricted: record.restricted, empty: empty === true, countries: record.possibleCountries.filter((c) => restricted.includes(c)).sort() });
}

/** Measurement intake, node verdicts and proofs: the server's use of @locus/proof and @locus/geo. */
export class Verification {
  readonly #repos: Repos;
  readonly #world: World;
  readonly #config: ServerConfig;
  readonly #clock: Clock;

  readonly #afterVerdict: ((node: NodeRecord) => Promise<unknown>) | undefined;
  readonly #judgingAtOnce: number;

  /**
   * `afterVerdict` hears of every node whose verdict was recomputed (alerting listens).
   * `judgingAtOnce`: how many nodes a delivery or a run of the loop judges at once (default 1;
   * JUDGING_AT_ONCE on a database server, where a judgement mostly waits on its answers).
   */
  constructor(repos: Repos, world: World, config: ServerConfig, clock: Clock, afterVerdict?: (node: NodeRecord) => Promise<unknown>, judgingAtOnce = 1) {
    this.#repos = repos;
    this.#world = world;
    this.#config = config;
    this.#clock = clock;
    this.#afterVerdict = afterVerdict;
    this.#judgingAtOnce = judgingAtOnce;
  }

  async #landmarks(): Promise<Map<string, LandmarkInfo>> {
    return new Map((await this.#repos.landmarks.list()).map((l) => [l.id, l]));
  }

  /**
   * A delivery the server refuses whole (a protocol version it does not read, `refusal`): each
   * registered landmark whose own key signed one of its measurements keeps the refusal, so that
   * its silence says why; the landmark holds them and sends them again. Anyone may send, so one
   * signature is checked per landmark named, of at most MAX_REFUSED_LANDMARKS.
   */
  async refuseDelivery(body: unknown, refusal: { readonly code: string; readonly message: string }): Promise<void> {
    const measurements = (body as { measurements?: unknown } | null)?.measurements;
    if (!Array.isArray(measurements)) return;
    const landmarks = await this.#landmarks();
    const firstOf = new Map<string, { measurement: Json; signature: string }>();
    for (const item of measurements as unknown[]) {
      const { measurement, signature } = (typeof item === 'object' && item !== null ? item : {}) as { measurement?: unknown; signature?: unknown };
      const id = (typeof measurement === 'object' && measurement !== null ? (measurement as { landmarkId?: unknown }).landmarkId : undefined) as unknown;
      if (typeof id !== 'string' || typeof signature !== 'string' || !landmarks.has(id) || firstOf.has(id)) continue;
      firstOf.set(id, { measurement: measurement as Json, signature });
      if (firstOf.size >= MAX_REFUSED_LANDMARKS) break;
    }
    const at = this.#clock.now().getTime();
    const own = await Promise.all([...firstOf].map(async ([id, m]) => ((await verifyJsonAsync('measurement', m.measurement, landmarks.get(id)!.publicKey, m.signature).catch(() => false)) ? id : undefined)));
    const refused = own.filter((id) => id !== undefined);
    if (refused.length > 0) await this.#repos.landmarks.markRefused(new Map(refused.map((id) => [id, { at, ...refusal }])));
  }

  /**
   * Checks and stores each measurement, and has every enrolled node it measured judged again:
   * at once when the node was not judged in the last `verdictIntervalMs` (or only on no
   * measurement), else at the end of
   * that interval (by the loop, refreshExpired, unless a measurement delivered after it comes
   * first). Sound in between: a measurement only adds a bound, so it can shrink the node's
   * region, never grow it, and the verdict it has stays true of the moment it was judged. A node measured by
   * every landmark every minute is so judged about once an interval, not once a measurement.
   * `landmarkVersion`, the software version the delivery names (its User-Agent), is kept on each
   * landmark it stored measurements of.
   */
  async ingest(batch: readonly SignedMeasurement[], landmarkVersion?: string): Promise<IngestOutcome> {
    const now = this.#clock.now();
    const landmarks = await this.#landmarks();
    const gate = { maxAgeMs: this.#config.measurementMaxAgeMs, maxSkewMs: this.#config.measurementMaxSkewMs };
    let accepted = 0;
    let duplicates = 0;
    const rejected: { index: number; code: ProtocolErrorCode; message: string }[] = [];
    const checked: SignedMeasurement[] = [];
    // Signatures checked on libuv's thread pool, all of the delivery's at once: off the server's
    // thread (about 0.1 ms each, half of a measurement's cost there), on the machine's other cores.
    const checks = await Promise.all(batch.map((signed) => checkMeasurementAsync(signed, landmarks, now, gate)));
    // A landmark measures whatever key says hello; only those of nodes are kept, or anyone with
    // fresh keys could have every landmark fill the store (10,000 hosts a landmark, every minute,
    // kept for the retention) with measurements of no one.
    const known = await this.#repos.nodes.knownHostKeys([...new Set(batch.map((s) => s.measurement.hostKey))]);
    const unknown = checks.flatMap((c, index) => (!c.ok && c.code === 'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK' ? [batch[index]!.measurement.landmarkId] : []));
    const revoked = await this.#repos.landmarks.revokedAt([...new Set(unknown)]);
    // Landmarks' ids by public key, made only when a measurement of no node's key comes.
    let byKey: Map<string, string> | undefined;
    const landmarkByKey = () => (byKey ??= new Map([...landmarks.values()].map((l) => [l.publicKey as string, l.id])));
    // Per landmark, the last refusal of a measurement its own key signed (no one else can make one): why it may seem silent.
    const refusedOwn = new Map<string, { code: string; message: string }>();
    for (const [index, check] of checks.entries()) {
      const revokedAt = check.ok ? undefined : revoked.get(batch[index]!.measurement.landmarkId);
      if (!check.ok && check.code === 'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK' && revokedAt !== undefined) {
        rejected.push({ index, code: check.code, message: `landmark "${batch[index]!.measurement.landmarkId}" was revoked at ${new Date(revokedAt).toISOString()}: its measurements count no more` });
      } else if (!check.ok) {
        rejected.push({ index, code: check.code, message: check.message });
        if (check.signed) refusedOwn.set(batch[index]!.measurement.landmarkId, { code: check.code, message: check.message });
      } else if (!known.has(batch[index]!.measurement.hostKey)) {
        const hostKey = batch[index]!.measurement.hostKey;
        const peer = landmarkByKey().get(hostKey);
        if (peer !== undefined) {
          // Another landmark calibrating against this one (locus landmark calibrate): no host, and
          // nothing wrong with the landmark that measured it, whose status stays as it was.
          rejected.push({ index, code: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_HOST', message: `host key ${hostKey} is landmark "${peer}"'s: a calibration between landmarks, not a node's measurement; not stored` });
          continue;
        }
        const message = `no node has host key ${hostKey}: enroll its agent, or register the node, first`;
        rejected.push({ index, code: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_HOST', message });
        refusedOwn.set(batch[index]!.measurement.landmarkId, { code: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_HOST', message });
      } else checked.push(batch[index]!);
    }
    // When they are stored and their nodes judged: after the checks, which may have let other
    // deliveries (and their judgements) run meanwhile.
    const at = this.#clock.now().getTime();
    // One statement for the delivery; of two with the same nonces, the first is stored.
    const stored = await this.#repos.measurements.insertNew(checked, at);
    const measured = new Set<string>();
    // Per landmark, when the newest of its measurements stored now was taken: its liveness.
    const newest = new Map<string, number>();
    for (const signed of checked) {
      if (stored.delete(signed.measurement.noncesHash)) {
        accepted++;
        measured.add(signed.measurement.hostKey);
        const { landmarkId, measuredAt } = signed.measurement;
        newest.set(landmarkId, Math.max(newest.get(landmarkId) ?? 0, Date.parse(measuredAt)));
      } else {
        duplicates++;
      }
    }
    await this.#repos.landmarks.markMeasured(newest);
    if (landmarkVersion !== undefined) await this.#repos.landmarks.noteVersion([...newest.keys()], landmarkVersion);
    if (refusedOwn.size > 0) await this.#repos.landmarks.markRefused(new Map([...refusedOwn].map(([id, r]) => [id, { at, ...r }])));
    const nodes = await this.#repos.nodes.markMeasured([...measured], at);
    const judged = await this.#repos.verdicts.lastJudged(nodes.map((n) => n.id));
    const due: { nodeId: string; at: number }[] = [];
    const judgeNow: NodeRecord[] = [];
    for (const node of nodes) {
      const last = judged.get(node.id);
      // Judged on no measurement (never measured, or none recent enough): new ones count at once.
      if (last === undefined || last.measurements === 0 || at - last.at >= this.#config.verdictIntervalMs) judgeNow.push(node);
      else due.push({ nodeId: node.id, at: last.at + this.#config.verdictIntervalMs });
    }
    const trusted = [...landmarks.values()];
    await eachAtMost(judgeNow, this.#judgingAtOnce, (node) => this.verdict(node, trusted));
    await this.#repos.verdicts.dueBy(due);
    return { accepted, duplicates, rejected };
  }

  /**
   * Judges again the nodes due: whose verdict is an interval old while measurements count (its
   * bounds grow with time), lost a bound (a landmark revoked; other parameters), or that were
   * measured within the verdict interval, the first due first, until none is left or `budgetMs`
   * of wall time has gone: a host that stopped answering landmarks is not shown excluded once
   * it could have travelled to a restricted country, and new measurements count within an interval. An unenrolled node is judged no more. Returns how many it judged. Servers sharing a
   * database share the work: each takes a page of due nodes at a time (claimExpiring), none
   * twice, and judges `judgingAtOnce` of its page at once.
   */
  async refreshExpired(budgetMs: number): Promise<number> {
    const started = performance.now();
    let judged = 0;
    while (performance.now() - started < budgetMs) {
      const now = this.#clock.now().getTime();
      const nodes = await this.#repos.verdicts.claimExpiring(now, now + CLAIM_MS, EXPIRED_PAGE);
      const landmarks = await this.#repos.landmarks.list();
      await eachAtMost(nodes, this.#judgingAtOnce, (node) => (node.unenrolled_at === null ? this.verdict(node, landmarks) : this.#repos.verdicts.setExpiry(node.id, null)));
      judged += nodes.length;
      if (nodes.length < EXPIRED_PAGE) break;
      // An in-process database answers synchronously: a turn of the event loop between pages lets requests in.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return judged;
  }

  /**
   * Notes the parameters verdicts are judged with; when they differ from those the stored
   * verdicts were judged with (a country added to the restricted list, another margin, window,
   * engine or border data), every stored verdict is judged again at the loop's next runs: an
   * "excluded" judged against another list says nothing about this one. Returns whether they did.
   */
  async noteParameters(): Promise<boolean> {
    const now = this.#clock.now().getTime();
    const { restricted, marginKm, measurementMaxAgeMs } = this.#config;
    const parameters = JSON.stringify({ speed: 'vacuum', restricted: [...restricted].sort(), marginKm, maxAgeMs: measurementMaxAgeMs, travelKmPerH: DEFAULT_TRAVEL.maxSpeedKmPerH, engine: GEO_ENGINE_VERSION, borders: this.#world.source });
    if (!(await this.#repos.verdicts.noteParameters(parameters, now))) return false;
    await this.#repos.verdicts.expireAll(now);
    return true;
  }

  /**
   * A node's measurements in the window at `now` by trusted landmarks (revoked ones' count no
   * more), summed up by the database, with each landmark's bound grown to `now`: the same
   * measurements and bounds as its proof at `now`. The bound is the least grown RTT of all the
   * landmark's measurements in the window; only those recent enough to be it are read (reachOf),
   * mostly those of the last RECENT_MS, read with the summary.
   */
  async #evidence(node: NodeRecord, now: number, landmarks: readonly LandmarkInfo[]): Promise<Evidence> {
    const known = new Map(landmarks.map((l) => [l.id, l]));
    const since = now - this.#config.measurementMaxAgeMs;
    const recentSince = Math.max(since, now - RECENT_MS);
    const repo = this.#repos.measurements;
    const [buckets, recent] = await Promise.all([repo.buckets(node.host_key, since, now), repo.rtts(node.host_key, recentSince, now)]);
    const timedOf = (b: { landmarkId: string; minRttMs: number; at: number }): TimedBound[] => {
      const l = known.get(b.landmarkId);
      return l ? [{ landmark: l.id, lat: degrees(l.lat), lon: degrees(l.lon), rtt: ms(b.minRttMs), at: b.at }] : [];
    };
    let measurements = 0;
    const timed = buckets.flatMap((b) => {
      const t = timedOf(b);
      if (t.length > 0) measurements += b.count;
      return t;
    });
    const ofBuckets = boundsAt(timed, now);
    const reach = reachOf(timed, ofBuckets);
    // A landmark whose recent answers are much slower than its least (a route changed): earlier ones may still bound tighter.
    const earlier = now - reach < recentSince ? await repo.rtts(node.host_key, Math.max(since, Math.floor(now - reach)), recentSince - 1) : [];
    const bounds = boundsAt([...earlier.flatMap(timedOf), ...recent.flatMap(timedOf)], now, DEFAULT_TRAVEL, ofBuckets);
    return { timed, bounds, measurements };
  }

  /**
   * The bounds a node's current measurements give now, in the order of the landmarks: each
   * landmark's, grown to now, with the landmark and the measurement it grew from.
   */
  async landmarkBounds(node: NodeRecord): Promise<LandmarkBound[]> {
    const landmarks = await this.#repos.landmarks.list();
    return landmarkBoundsOf(await this.#evidence(node, this.#clock.now().getTime(), landmarks), landmarks);
  }

  /** The bounds a node's current measurements give now: per landmark, its measurements' least RTT grown to now (boundsAt). */
  async bounds(node: NodeRecord): Promise<RttBound[]> {
    return (await this.landmarkBounds(node)).map((b) => b.bound);
  }

  /** Judges bounds (one node's, or several nodes' together) against a claim with the server's parameters. */
  judge(bounds: readonly RttBound[], claimed: string | null): VerdictRecord {
    return toVerdictRecord(verifyTarget(this.#world, bounds, claimed, { speed: 'vacuum', restricted: new Set(this.#config.restricted), marginKm: km(this.#config.marginKm) }));
  }

  /** The feasible region of some bounds as a GeoJSON feature for maps (rings: region on the left). */
  outline(bounds: readonly RttBound[]): RegionFeature {
    const region = regionFromRtts(bounds, 'vacuum');
    const enclosing = region.empty ? undefined : enclosingCap(region);
    const rings = regionOutline(region);
    return {
      type: 'Feature',
      geometry: rings.length === 0 ? null : { type: 'Polygon', coordinates: rings },
      properties: {
        empty: region.empty,
        whole: region.whole,
        estimate: enclosing ? toLatLon(enclosing.center) : null,
        radiusKm: enclosing && !region.whole ? Math.round(enclosing.angle * MEAN_EARTH_RADIUS * 10) / 10 : null,
      },
    };
  }

  /**
   * The proof a node's measurements give (the same computation as its verdict): now, or at `at`
   * in the past from the measurements the server held then (taken in the window before it and
   * received by then; landmarks revoked since count no more). The proof at the time of any
   * judgement (a stored verdict's, or a judgement that changed nothing, whose time lists and
   * reports show) gives that judgement's record: compaction keeps what each rests on
   * (TelemetryRetention). At any other past time, compaction may have dropped a landmark's
   * least measurement in a bucket the window's edge cuts, or one whose bucket's least was
   * delivered after that time, so the proof may be looser than the verdict of then was — never
   * tighter, so never wrongly "excluded".
   */
  async proof(node: NodeRecord, at?: Date): Promise<ProofBundle> {
    const now = at ?? this.#clock.now();
    const landmarks = await this.#repos.landmarks.list();
    const measurements = await this.#repos.measurements.forHost(node.host_key, now.getTime() - this.#config.measurementMaxAgeMs, now.getTime(), at?.getTime());
    return buildProof(this.#world, {
      hostKey: node.host_key,
      claimed: node.claimed_country,
      landmarks,
      measurements,
      speed: 'vacuum',
      restricted: this.#config.restricted,
      marginKm: this.#config.marginKm,
      maxAgeMs: this.#config.measurementMaxAgeMs,
      travelKmPerH: DEFAULT_TRAVEL.maxSpeedKmPerH,
      createdAt: now,
    });
  }

  /**
   * Recomputes a node's verdict, of where its host can be now, and records it in its history when
   * what it says changed (said, or its notes; else notes only when it was judged, on how many
   * measurements and the record), and has it judged again an interval on while measurements
   * count (refreshExpired), its bounds grown by then. It judges what the
   * node's proof at this instant would hold (the same measurements and parameters; a test keeps
   * the two in step) from the database's summary of them, without reading the signed bodies.
   * `trusted`: the landmarks not revoked, when the caller has just read them.
   */
  async verdict(node: NodeRecord, trusted?: readonly LandmarkInfo[]): Promise<NodeVerdict> {
    const now = this.#clock.now().getTime();
    const landmarks = trusted ?? (await this.#repos.landmarks.list());
    // Read before the measurements: a delivery that makes the node due meanwhile is not undone.
    const seen = await this.#repos.verdicts.expiry(node.id);
    // The window and the newest verdict at once, and the three writes below (on PostgreSQL, each
    // on a connection of its own: three round trips a judgement where one after another took six).
    const [evidence, [last]] = await Promise.all([this.#evidence(node, now, landmarks), this.#repos.verdicts.history(node.id, 1)]);
    const record = this.judge(boundsOf(evidence, landmarks), node.claimed_country);
    const notes = verdictNotes(evidence.timed, evidence.bounds, record.empty === true);
    const answer = { nodeId: node.id, computedAt: new Date(now).toISOString(), measurements: evidence.measurements, verdict: record, notes };
    // A node never measured keeps no verdict: asking for one (a read, an auditor's
    // too) must not turn it from "none" into "possible" in lists, the summary and signed reports.
    if (!last && evidence.measurements === 0 && node.last_measured_at === null) return answer;
    const changed = !last || said(last.record, this.#config.restricted) !== said(record, this.#config.restricted) || JSON.stringify(last.notes.map((n) => n.kind)) !== JSON.stringify(notes.map((n) => n.kind));
    await Promise.all([
      // Judged again an interval on while any measurement counts: its bounds grow as it ages, so a
      // host no longer measured loses "excluded" as soon as it could have travelled to a
      // restricted country, not when its measurements leave the window.
      this.#repos.verdicts.setExpiry(node.id, evidence.bounds.length === 0 ? null : now + Math.max(this.#config.verdictIntervalMs, MIN_REGROW_MS), seen),
      // What the verdict rests on, kept by compaction so that its proof at its time can be rebuilt:
      // at every judgement, not only a changed one, since lists and signed reports show the verdict
      // as of the last judgement (mostly those already marked: an index seek that writes nothing).
      this.#repos.measurements.keep(node.host_key, evidence.bounds.map((b) => ({ landmarkId: b.measured.landmark, at: b.measured.at }))),
      this.#repos.verdicts.judged(node.id, now, evidence.measurements, record),
    ]);
    if (changed) {
      // Of two verdicts of a node in one millisecond, the later made is the newer (history's tie-break is the id).
      await this.#repos.verdicts.insert({ id: orderedId(now), nodeId: node.id, computedAt: now, measurements: evidence.measurements, record, notes });
      await this.#afterVerdict?.(node);
    }
    return answer;
  }
}
