import { generateSigningKey, seedOf, signingKeyFromSeed, type ReportFormat, type SigningKey } from '@locus/protocol';
import type { ZoneRecord } from '@locus/storage';
import { stringify } from 'csv-stringify/sync';
import { summarize, type NodeRow } from './fleet.js';
import { isoTime as iso } from './clock.js';
import type { Repos } from './repos.js';

/** When a GPU was listed in an inventory; null for one known only from health reports. */
const seen = (ms: number): string | null => (ms > 0 ? iso(ms) : null);

/** The server's report-signing key, made on first use and shared by every replica through the database. */
export async function reportKey(repos: Repos, now: number): Promise<SigningKey> {
  const candidate = generateSigningKey();
  const stored = await repos.reports.ensureKey({ purpose: 'report', seed: seedOf(candidate.privateKey), public_key: candidate.publicKey, created_at: now });
  const key = signingKeyFromSeed(stored.seed);
  if (!key || key.publicKey !== stored.public_key) throw new Error('the stored report key is damaged (server_keys, purpose "report")');
  return key;
}

export interface ReportAbout {
  readonly id: string;
  readonly orgId: string;
  readonly createdAt: number;
  readonly zone: ZoneRecord | undefined;
}

const CSV_COLUMNS = [
  'node_id',
  'node_name',
  'zone_id',
  'zone_name',
  'claimed_country',
  'restricted',
  'claim',
  'possible_countries',
  'verdict_at',
  'agent_version',
  'last_report_at',
  'gpu_uuid',
  'gpu_serial',
  'gpu_model',
  'gpu_pci_bus_id',
  'gpu_health',
  'gpu_first_seen',
  'gpu_last_seen',
  'gpu_missing_since',
] as const;

/**
 * A fleet inventory and health report. JSON holds a summary and every node with its verdict and
 * GPUs; CSV has one row per GPU (one row with empty GPU columns for a node without GPUs).
 */
export function renderReport(format: ReportFormat, about: ReportAbout, rows: readonly NodeRow[]): string {
  if (format === 'json') {
    const report = {
      kind: 'locus-fleet-report',
      v: 1,
      id: about.id,
      orgId: about.orgId,
      createdAt: iso(about.createdAt),
      zone: about.zone ? { id: about.zone.id, name: about.zone.name, claimedCountry: about.zone.claimed_country } : null,
      summary: summarize(rows),
      nodes: rows.map(({ node, zone, verdict, lastReportAt, gpus }) => ({
        id: node.id,
        name: node.name,
        zone: zone ? { id: zone.id, name: zone.name } : null,
        hostKey: node.host_key,
        claimedCountry: node.claimed_country,
        enrolledAt: iso(node.created_at),
        agentVersion: node.agent_version,
        lastReportAt: iso(lastReportAt),
        verdict: verdict ? { computedAt: iso(verdict.computedAt), measurements: verdict.measurements, ...verdict.record } : null,
        gpus: gpus.map((g) => ({ uuid: g.uuid, serial: g.serial, model: g.name, pciBusId: g.pci_bus_id, health: g.health, firstSeenAt: seen(g.first_seen_at), lastSeenAt: seen(g.last_seen_at), missingSince: iso(g.missing_since) })),
      })),
    };
    return `${JSON.stringify(report, null, 2)}\n`;
  }
  const records: (string | null)[][] = [];
  for (const { node, zone, verdict, lastReportAt, gpus } of rows) {
    const nodeCells = [
      node.id,
      node.name,
      zone?.id ?? null,
      zone?.name ?? null,
      node.claimed_country,
      verdict?.record.restricted ?? 'none',
      verdict?.record.claim ?? null,
      verdict?.record.possibleCountries.join(' ') ?? null,
      iso(verdict?.computedAt),
      node.agent_version,
      iso(lastReportAt),
    ];
    if (gpus.length === 0) records.push([...nodeCells, null, null, null, null, null, null, null, null]);
    for (const g of gpus) records.push([...nodeCells, g.uuid, g.serial, g.name, g.pci_bus_id, g.health, seen(g.first_seen_at), seen(g.last_seen_at), iso(g.missing_since)]);
  }
  // Cells that a spreadsheet would run as a formula are quoted with a leading apostrophe.
  return stringify(records, { header: true, columns: [...CSV_COLUMNS], escape_formulas: true, record_delimiter: 'unix' });
}
