import { randomUUID } from 'node:crypto';
import { AGENT_VERSION } from './version.js';
import { MAX_EVENT_TEXT, PROTOCOL_VERSION, signBody, type EventWire, type GpuMetricsWire, type IngestBatch, type SentInventoryWire, type SigningKey } from '@locus/protocol';
import type { Health } from './components/component.js';
import type { HostInventory } from './host.js';
import type { GpuSample } from './model.js';
import type { OutboxBatch } from './outbox.js';
import type { ScanReport } from './report.js';
import { kernelPciId, type HostSnapshot } from './snapshot.js';
import { xidKey } from './xid-cleared.js';

export const toMetricsWire = (g: GpuSample): GpuMetricsWire => ({
  uuid: g.identity.uuid,
  temperatureC: g.temperatureC,
  memoryTemperatureC: g.memoryTemperatureC,
  powerDrawW: g.powerDrawW,
  powerLimitW: g.powerLimitW,
  energyMj: g.energyMj,
  smClockMHz: g.smClockMHz,
  memoryClockMHz: g.memoryClockMHz,
  gpuUtilizationPct: g.gpuUtilizationPct,
  memoryUtilizationPct: g.memoryUtilizationPct,
  framebufferUsedMiB: g.framebufferUsedMiB,
  framebufferTotalMiB: g.framebufferTotalMiB,
  eccVolatileUncorrected: g.ecc.volatileUncorrected,
  eccAggregateUncorrected: g.ecc.aggregateUncorrected,
  remappedRowsPending: g.remappedRows?.pending ?? null,
  pcieReplayCounter: g.pcie.replayCounter,
  clockEventReasons: g.clockEventReasons === null ? null : [...g.clockEventReasons],
});

export const toInventoryWire = (host: HostInventory, s: HostSnapshot): SentInventoryWire => ({
  hostname: host.hostname,
  machineId: host.machineId,
  os: host.os,
  kernel: host.kernel,
  cpu: { ...host.cpu },
  memoryBytes: host.memoryBytes,
  nics: host.nics.map((n) => ({ name: n.name, mac: n.mac, addresses: [...n.addresses] })),
  driverVersion: s.driverVersion,
  cudaVersion: s.cudaVersion,
  gpus: s.gpus.map(({ identity: i }) => ({ index: i.index, uuid: i.uuid, name: i.name, serial: i.serial, boardPartNumber: i.boardPartNumber, pciBusId: i.pciBusId, vbiosVersion: i.vbiosVersion })),
  agentVersion: AGENT_VERSION,
});

/** Text cut to what the server takes: past it the server refuses the whole batch. */
function eventText(text: string): string {
  return text.length > MAX_EVENT_TEXT ? `${text.slice(0, MAX_EVENT_TEXT - 1)}…` : text;
}

/** Findings whose health changed since `previous` (all non-healthy ones on the first pass); updates `previous`. */
export function healthChanges(previous: Map<string, Health>, report: ScanReport, at: string, newId: () => string = randomUUID): EventWire[] {
  const first = previous.size === 0;
  const events: EventWire[] = [];
  const uuidOf = new Map(report.gpus.map((g) => [g.index, g.uuid]));
  // The GPUs each component reported on before this pass, by key (a component's keys change only in its own turn below).
  const earlier = new Map<string, [key: string, gpu: string][]>();
  for (const key of previous.keys()) {
    const bar = key.indexOf('|');
    const component = key.slice(0, bar);
    const keys = earlier.get(component) ?? [];
    if (keys.length === 0) earlier.set(component, keys);
    keys.push([key, key.slice(bar + 1)]);
  }
  for (const c of report.components) {
    const current = new Set<string>();
    for (const r of c.results) {
      const key = `${c.name}|${r.gpu ?? 'host'}`;
      current.add(key);
      const before = previous.get(key);
      previous.set(key, r.health);
      if (before === r.health || (first && r.health === 'healthy')) continue;
      events.push({ kind: 'health', id: newId(), at, component: c.name, gpu: r.gpu === undefined ? null : (uuidOf.get(r.gpu) ?? null), health: r.health, reason: eventText(r.reason), suggestedAction: r.suggestedAction ?? null });
    }
    // A finding about one GPU that the component no longer reports has cleared: say so, or the
    // server would keep the last state it heard (a GPU lost and found again stays "lost").
    for (const [key, gpu] of earlier.get(c.name) ?? []) {
      const uuid = uuidOf.get(Number(gpu));
      if (current.has(key) || uuid === undefined) continue;
      const was = previous.get(key);
      previous.set(key, 'healthy');
      if (was === 'healthy') continue;
      // The finding is gone, not the GPU: said as cleared, with how the component finds the host now.
      const overall = c.results.find((r) => r.gpu === undefined)?.reason;
      events.push({ kind: 'health', id: newId(), at, component: c.name, gpu: uuid, health: 'healthy', reason: `GPU ${gpu}: cleared${overall ? ` (${overall})` : ''}`, suggestedAction: null });
    }
  }
  return events;
}

/** When a kernel event happened, as an Instant: its own wall time when it has one, else `fallback`. */
function eventTime(x: HostSnapshot['xids'][number], fallback: string): string {
  const t = x.time && 'iso' in x.time ? Date.parse(x.time.iso) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : fallback;
}

/** Xid events not seen before (by their raw line and time), as wire events; updates `seen`. */
export function newXidEvents(seen: Set<string>, s: HostSnapshot, at: string, newId: () => string = randomUUID): EventWire[] {
  const uuidByPci = new Map(s.gpus.map((g) => [kernelPciId(g.identity.pciBusId), g.identity.uuid]));
  const events: EventWire[] = [];
  for (const x of s.xids) {
    const key = xidKey(x);
    if (seen.has(key)) continue;
    seen.add(key);
    const gpu = uuidByPci.get(kernelPciId(x.pciBusId)) ?? s.missingGpus.find((m) => kernelPciId(m.pciBusId) === kernelPciId(x.pciBusId))?.uuid ?? null;
    events.push({ kind: 'xid', id: newId(), at: eventTime(x, at), gpu, pciBusId: x.pciBusId, xid: x.xid, message: eventText(x.message) });
  }
  return events;
}

/** The signed ingest payload for an outbox batch: the same bytes every time it is sent. */
export const signedBatch = (batch: OutboxBatch, key: SigningKey): IngestBatch =>
  signBody(
    'ingest',
    { v: PROTOCOL_VERSION, batchId: batch.batchId, hostKey: key.publicKey, sentAt: new Date(batch.batchedAt).toISOString(), samples: batch.samples as never, events: batch.events as never },
    key.privateKey,
  );
