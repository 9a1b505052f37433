import { AGENT_RETRY_MAX_MS, LANDMARK_RETRY_MAX_MS, type AlertKind, type VerdictRecord } from '@locus/protocol';
import { refusedSince, type AlertCondition, type LandmarkStatus, type Refusal, type VerdictNote } from '@locus/storage';

export interface NodeFacts {
  readonly nodeId: string;
  readonly nodeName: string;
  /**
   * The latest verdict and how many landmarks measured the node, and the last judgement of it
   * that did not exclude the restricted countries (null: none known); undefined before any.
   */
  readonly verdict: { readonly record: VerdictRecord; readonly measurements: number; readonly notes: readonly VerdictNote[]; readonly unexcludedAt: number | null } | undefined;
  /** The latest reported health per component and GPU. */
  readonly health: readonly { readonly component: string; readonly gpu: string | null; readonly health: string; readonly reason: string; readonly suggestedAction: string | null }[];
  /** `otherName`: the other node's, when it is of this org; null for another org's. */
  readonly duplicates: readonly { readonly gpu: string; readonly otherNode: string; readonly otherName: string | null }[];
  /** GPUs the node once reported that its latest inventory lacks, each since the first inventory that lacked it. */
  readonly missingGpus: readonly { readonly uuid: string; readonly serial: string | null; readonly name: string; readonly missingSince: number }[];
  /** When the agent last delivered a batch; null if it never has (a node without an agent). */
  readonly lastIngestAt: number | null;
  /** When the node enrolled (ms). */
  readonly enrolledAt: number;
  /** The newest refusal of a batch its agent signed; null before any. */
  readonly lastRefusal: Refusal | null;
  /** When a landmark last measured the node; null if none ever has. */
  readonly lastMeasuredAt: number | null;
}

export const scopeOf = (nodeId: string): string => `node:${nodeId}|`;

/**
 * How long a node's verdict must have excluded the restricted countries before a `restricted`
 * alert of it resolves. A verdict is of where the host can be when judged, from each landmark's
 * newest measurements grown by their age, so a region near a restricted border can flip with a
 * few ms of jitter; an alert fires at the first judgement that does not exclude them, and
 * resolves only after this long without one (within an alert sweep after).
 */
export const RESTRICTED_RESOLVE_AFTER_MS = 10 * 60_000;

/** Landmark alerts live in the operator's organization (landmarks are every organization's trust set). */
export const LANDMARK_SCOPE = 'landmark:';

/**
 * A landmark that alone keeps the regions of `minNodes` or more nodes empty: one node could be a
 * copied key answering from two places, several nodes point at the landmark.
 */
export function landmarkConditions(outliers: ReadonlyMap<string, readonly string[]>, minNodes: number): AlertCondition[] {
  return [...outliers].flatMap(([landmark, nodes]) => {
    if (nodes.length < minNodes) return [];
    const named = nodes.slice(0, 5).join(', ') + (nodes.length > 5 ? ` and ${nodes.length - 5} more` : '');
    const summary = `landmark ${landmark}: its measurements alone contradict the other landmarks' for ${nodes.length} nodes (${named}); check its registered place, its clock and its network`;
    return [{ key: `${LANDMARK_SCOPE}${landmark}|landmark-inconsistent`, kind: 'landmark-inconsistent', severity: 'critical', nodeId: null, summary }];
  });
}

/** Silent-landmark alerts, in the operator's organization too: a scope apart, judged at every silence check. */
export const LANDMARK_SILENCE_SCOPE = 'landmark-silent:';

/**
 * Whether a landmark's measurements no longer reach the server: none stored for `silentAfterMs`,
 * or none ever while another landmark's newest is that recent (so there are hosts to measure) and
 * it was registered that long ago. Before any landmark has measured (no hosts yet), none is.
 */
export function landmarkSilence(landmarks: readonly LandmarkStatus[], now: number, silentAfterMs: number): (l: LandmarkStatus) => boolean {
  const recent = (l: LandmarkStatus) => l.lastMeasurementAt !== null && now - l.lastMeasurementAt <= silentAfterMs;
  const othersMeasure = landmarks.some(recent);
  return (l) => !recent(l) && (l.lastMeasurementAt !== null || (othersMeasure && now - l.registeredAt > silentAfterMs));
}

/**
 * The landmark-silent alerts the landmarks' status calls for. A landmark cannot deliver while the
 * servers are down, and tries again within LANDMARK_RETRY_MAX_MS of their return: until they have
 * been up `silentAfterMs` and that long (`upSince`), silence is held (what fires stays firing,
 * nothing new fires), as for nodes.
 */
export function landmarkSilenceConditions(landmarks: readonly LandmarkStatus[], now: number, options: { readonly silentAfterMs: number; readonly upSince: number }): AlertCondition[] {
  const silent = landmarkSilence(landmarks, now, options.silentAfterMs);
  const heard = now - options.upSince > Math.max(options.silentAfterMs, LANDMARK_RETRY_MAX_MS);
  const minutes = Math.round(options.silentAfterMs / 60_000);
  return landmarks.filter(silent).map(({ landmark: l, lastMeasurementAt, lastRefusal }) => {
    const since = lastMeasurementAt === null ? 'none of its measurements stored yet, while other landmarks deliver' : `no measurement stored for over ${minutes} min (the newest taken ${new Date(lastMeasurementAt).toISOString()})`;
    // Its own measurements refused since: the server knows why (its place, its clock, hosts no node has).
    const why = refusedSince(lastRefusal, lastMeasurementAt) ? `its measurements are refused (${lastRefusal.code}: ${lastRefusal.message})` : 'it is down, cut off from the server or its hosts, or refused (another place, a clock off: its log says)';
    const summary = `landmark ${l.id} (${l.name}, ${l.country}): ${since}; ${why}, and the verdicts that rest on it lose its bound`;
    const condition: AlertCondition = { key: `${LANDMARK_SILENCE_SCOPE}${l.id}|landmark-silent`, kind: 'landmark-silent', severity: 'warning', nodeId: null, summary };
    return heard ? condition : { ...condition, hold: true };
  });
}

/**
 * How long the fleet's servers must have been up before a node they have not heard from turns
 * silent: the silence time, and at least the longest an agent waits between attempts to deliver
 * (an agent that kept failing during a break tries again within that long of the servers' return).
 */
export const heardForMs = (silentAfterMs: number): number => Math.max(silentAfterMs, AGENT_RETRY_MAX_MS);

/**
 * Since when a node counts as quiet: its agent's last stored batch; for one never stored, its
 * enrollment once a batch of its agent's has been refused (its agent runs, and nothing it sends
 * is taken). Null for a node never heard from at all (enrolled, its agent not started yet).
 */
export const silentSince = (f: Pick<NodeFacts, 'lastIngestAt' | 'enrolledAt' | 'lastRefusal'>): number | null => f.lastIngestAt ?? (f.lastRefusal === null ? null : f.enrolledAt);

/**
 * The alerts a node's current facts call for. An alert whose condition stops holding resolves.
 * `upSince` is since when the fleet's servers have been up without a break: a node not heard
 * from for silentAfterMs is silent only if they have been up long enough to hear it (heardForMs).
 * Before, its silence is held (AlertCondition.hold): a node silent before the break stays so, and
 * no node that the break alone kept from reporting turns silent.
 */
export function nodeConditions(f: NodeFacts, now: number, options: { readonly silentAfterMs: number; readonly restricted: readonly string[]; readonly upSince: number }): AlertCondition[] {
  const key = (kind: AlertKind, ...parts: string[]) => [`${scopeOf(f.nodeId)}${kind}`, ...parts].join('|');
  const out: AlertCondition[] = [];
  const condition = (kind: AlertKind, severity: 'warning' | 'critical', summary: string, ...parts: string[]): AlertCondition => ({ key: key(kind, ...parts), kind, severity, nodeId: f.nodeId, summary: `${f.nodeName}: ${summary}` });
  const add = (...args: Parameters<typeof condition>) => out.push(condition(...args));
  const v = f.verdict;
  if (v && v.measurements > 0) {
    // An empty region raises what its record says as well (restricted countries possible, the
    // claim contradicted), so that every alert channel (webhooks by kind, the fleet's Prometheus
    // series) tells of the node alike: a copied key is a restricted country not excluded.
    const unplaced = v.record.empty ? 'its measurements fit no single place' : null;
    if (unplaced) {
      const outlier = v.notes.find((n) => n.kind === 'landmark-outlier');
      add('empty-region', 'critical', outlier ? `${unplaced}: ${outlier.message}` : `${unplaced}: a broken measurement or a lie`);
    }
    if (v.record.restricted !== 'excluded') {
      const some = v.record.possibleCountries.filter((c) => options.restricted.includes(c)).join(', ');
      add('restricted', v.record.restricted === 'certain' ? 'critical' : 'warning', `restricted countries ${v.record.restricted}${some ? ` (${some})` : ''}${unplaced ? `: ${unplaced}` : ''}`);
    } else if (v.unexcludedAt !== null && now - v.unexcludedAt < RESTRICTED_RESOLVE_AFTER_MS) {
      // Excluded again only lately: one that fires keeps firing until they have stayed excluded a while.
      const until = new Date(v.unexcludedAt + RESTRICTED_RESOLVE_AFTER_MS).toISOString();
      out.push({ ...condition('restricted', 'warning', `restricted countries excluded again since a judgement after ${new Date(v.unexcludedAt).toISOString()}; this resolves if they stay excluded until ${until}`), hold: true });
    }
    if (v.record.claim === 'contradicted') add('claim-contradicted', 'critical', unplaced ? `claims ${v.record.claimed}: ${unplaced}` : `claims ${v.record.claimed}, which its region does not reach`);
  } else if (v && f.lastMeasuredAt !== null) {
    // Measured before, on nothing now: its measurements left the window (it stopped answering landmarks, or they stopped).
    add('restricted', 'warning', `restricted countries possible: no landmark measurement recent enough to count (last measured ${new Date(f.lastMeasuredAt).toISOString()})`);
  }
  for (const n of v?.notes ?? []) if (n.kind === 'impossible-travel') add('impossible-travel', 'critical', n.message);
  for (const h of f.health) {
    if (h.health === 'unhealthy') add('gpu-health', 'critical', `${h.gpu ? `GPU ${h.gpu}` : 'host'} ${h.component}: ${h.reason}${h.suggestedAction && h.suggestedAction !== 'none' ? ` (${h.suggestedAction.replace('_', ' ')})` : ''}`, h.component, h.gpu ?? 'host');
  }
  for (const g of f.missingGpus) {
    add('gpu-missing', 'critical', `GPU ${g.uuid}${g.serial ? ` (serial ${g.serial})` : ''}, ${g.name}, is missing from the host's inventory since ${new Date(g.missingSince).toISOString()}: fallen off the bus, or taken out (forget it if so)`, g.uuid);
  }
  for (const d of f.duplicates) add('duplicate-gpu', 'critical', `GPU ${d.gpu} is also reported by ${d.otherName === null ? 'a node of another organization' : `node ${d.otherName} (${d.otherNode})`}: a copied identity or a moved board`, d.gpu, d.otherNode);
  const quietSince = silentSince(f);
  if (quietSince !== null && now - quietSince > options.silentAfterMs) {
    const since = f.lastIngestAt === null ? `no report stored since it enrolled at ${new Date(f.enrolledAt).toISOString()}` : `no report since ${new Date(f.lastIngestAt).toISOString()}`;
    // Its agent's own batches refused since: the server knows why (its agent's log says it dropped them).
    const silent = condition('node-silent', 'warning', refusedSince(f.lastRefusal, f.lastIngestAt) ? `${since}: its batches are refused (${f.lastRefusal.code}: ${f.lastRefusal.message})` : since);
    out.push(now - options.upSince > heardForMs(options.silentAfterMs) ? silent : { ...silent, hold: true });
  }
  return out;
}
