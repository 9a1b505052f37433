import type { VerdictRecord } from '@locus/protocol';
import type { AlertCondition, VerdictNote } from '@locus/storage';

export const ALERT_KINDS = ['restricted', 'claim-contradicted', 'empty-region', 'impossible-travel', 'gpu-health', 'duplicate-gpu', 'node-silent'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface NodeFacts {
  readonly nodeId: string;
  readonly nodeName: string;
  /** The latest verdict and how many landmarks measured the node; undefined before any. */
  readonly verdict: { readonly record: VerdictRecord; readonly measurements: number; readonly notes: readonly VerdictNote[] } | undefined;
  /** The latest reported health per component and GPU. */
  readonly health: readonly { readonly component: string; readonly gpu: string | null; readonly health: string; readonly reason: string; readonly suggestedAction: string | null }[];
  readonly duplicates: readonly { readonly gpu: string; readonly otherNode: string }[];
  /** When the agent last delivered a batch; null if it never has (a node without an agent). */
  readonly lastIngestAt: number | null;
}

export const scopeOf = (nodeId: string): string => `node:${nodeId}|`;

/** The alerts a node's current facts call for. An alert whose condition stops holding resolves. */
export function nodeConditions(f: NodeFacts, now: number, options: { readonly silentAfterMs: number; readonly restricted: readonly string[] }): AlertCondition[] {
  const key = (kind: AlertKind, ...parts: string[]) => [`${scopeOf(f.nodeId)}${kind}`, ...parts].join('|');
  const out: AlertCondition[] = [];
  const add = (kind: AlertKind, severity: 'warning' | 'critical', summary: string, ...parts: string[]) => out.push({ key: key(kind, ...parts), kind, severity, nodeId: f.nodeId, summary: `${f.nodeName}: ${summary}` });
  const v = f.verdict;
  if (v && v.measurements > 0) {
    if (v.record.empty) add('empty-region', 'critical', 'its measurements fit no single place: a broken measurement or a lie');
    else {
      if (v.record.restricted !== 'excluded') {
        const some = v.record.possibleCountries.filter((c) => options.restricted.includes(c)).join(', ');
        add('restricted', v.record.restricted === 'certain' ? 'critical' : 'warning', `restricted countries ${v.record.restricted}${some ? ` (${some})` : ''}`);
      }
      if (v.record.claim === 'contradicted') add('claim-contradicted', 'critical', `claims ${v.record.claimed}, which its region does not reach`);
    }
  }
  for (const n of v?.notes ?? []) if (n.kind === 'impossible-travel') add('impossible-travel', 'critical', n.message);
  for (const h of f.health) {
    if (h.health === 'unhealthy') add('gpu-health', 'critical', `${h.gpu ? `GPU ${h.gpu}` : 'host'} ${h.component}: ${h.reason}${h.suggestedAction && h.suggestedAction !== 'none' ? ` (${h.suggestedAction.replace('_', ' ')})` : ''}`, h.component, h.gpu ?? 'host');
  }
  for (const d of f.duplicates) add('duplicate-gpu', 'critical', `GPU ${d.gpu} is also reported by node ${d.otherNode}: a copied identity or a moved board`, d.gpu, d.otherNode);
  if (f.lastIngestAt !== null && now - f.lastIngestAt > options.silentAfterMs) add('node-silent', 'warning', `no report for ${Math.round((now - f.lastIngestAt) / 60_000)} min`);
  return out;
}
