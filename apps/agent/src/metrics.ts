/**
 * The agent's optional Prometheus metrics: each GPU under dcgm-exporter's names, types, units
 * and labels (etc/default-counters.csv of NVIDIA/dcgm-exporter), so that dashboards built for
 * dcgm-exporter work unchanged, and the agent's own state under `locus_agent_*`. A scrape reads
 * the last collection pass; it never reads the GPUs itself.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { HEALTH_STATES } from './components/component.js';
import type { GpuSample } from './model.js';
import type { ScanReport } from './report.js';
import { kernelPciId, type HostSnapshot } from './snapshot.js';
import { AGENT_VERSION } from './version.js';
import { CLOCK_EVENT_REASON_BITS } from './nvml/map.js';

/** dcgm-exporter's labels, in its order. `device` is nvidia<index>. */
export const DCGM_LABELS = ['gpu', 'UUID', 'pci_bus_id', 'device', 'modelName', 'Hostname', 'DCGM_FI_DRIVER_VERSION'] as const;
type DcgmLabel = (typeof DCGM_LABELS)[number];

export interface DcgmMetric {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  /** Null when the GPU does not report it: the series is left out, as dcgm-exporter does. */
  readonly value: (gpu: GpuSample, snapshot: HostSnapshot) => number | null;
}

const flag = (b: boolean | null | undefined): number | null => (b == null ? null : b ? 1 : 0);
const sum = (xs: readonly (number | null)[] | undefined): number | null => (xs === undefined || xs.length === 0 || xs.every((x) => x === null) ? null : xs.reduce<number>((a, x) => a + (x ?? 0), 0));

/**
 * The last Xid the kernel logged for this GPU; 0 when none (dcgm-exporter's convention); null
 * (no series) when the kernel log could not be read: not known, which 0 would misstate.
 */
function lastXid(gpu: GpuSample, snapshot: HostSnapshot): number | null {
  if (snapshot.kernelLogUnread !== undefined) return null;
  const bus = kernelPciId(gpu.identity.pciBusId);
  return snapshot.xids.filter((x) => x.pciBusId.toLowerCase() === bus).at(-1)?.xid ?? 0;
}

export const DCGM_METRICS: readonly DcgmMetric[] = [
  { name: 'DCGM_FI_DEV_SM_CLOCK', type: 'gauge', help: 'SM clock frequency (in MHz).', value: (g) => g.smClockMHz },
  { name: 'DCGM_FI_DEV_MEM_CLOCK', type: 'gauge', help: 'Memory clock frequency (in MHz).', value: (g) => g.memoryClockMHz },
  { name: 'DCGM_FI_DEV_MEMORY_TEMP', type: 'gauge', help: 'Memory temperature (in C).', value: (g) => g.memoryTemperatureC },
  { name: 'DCGM_FI_DEV_GPU_TEMP', type: 'gauge', help: 'GPU temperature (in C).', value: (g) => g.temperatureC },
  { name: 'DCGM_FI_DEV_POWER_USAGE', type: 'gauge', help: 'Power draw (in W).', value: (g) => g.powerDrawW },
  { name: 'DCGM_FI_DEV_POWER_MGMT_LIMIT', type: 'gauge', help: 'Power management limit (in W).', value: (g) => g.powerLimitW },
  { name: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', type: 'counter', help: 'Total energy consumption since the driver loaded (in mJ).', value: (g) => g.energyMj },
  { name: 'DCGM_FI_DEV_CLOCKS_EVENT_REASONS', type: 'gauge', help: 'Current clock event reasons (bitmask of the NVML clocks event reasons: 0x1 idle, 0x4 software power cap, 0x8 hardware slowdown, 0x20 software thermal, 0x40 hardware thermal, 0x80 power brake, …).', value: (g) => (g.clockEventReasons === null ? null : g.clockEventReasons.reduce((mask, r) => mask | CLOCK_EVENT_REASON_BITS[r], 0)) },
  { name: 'DCGM_FI_DEV_PCIE_LINK_GEN', type: 'gauge', help: 'PCIe current link generation.', value: (g) => g.pcie.gen },
  { name: 'DCGM_FI_DEV_PCIE_LINK_WIDTH', type: 'gauge', help: 'PCIe current link width (lanes).', value: (g) => g.pcie.width },
  { name: 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER', type: 'counter', help: 'Total number of PCIe retries.', value: (g) => g.pcie.replayCounter },
  { name: 'DCGM_FI_DEV_GPU_UTIL', type: 'gauge', help: 'GPU utilization (in %).', value: (g) => g.gpuUtilizationPct },
  { name: 'DCGM_FI_DEV_MEM_COPY_UTIL', type: 'gauge', help: 'Memory utilization (in %).', value: (g) => g.memoryUtilizationPct },
  { name: 'DCGM_FI_DEV_ENC_UTIL', type: 'gauge', help: 'Share of the last sampling period the video encoder was busy (in %).', value: (g) => g.encoderUtilizationPct },
  { name: 'DCGM_FI_DEV_DEC_UTIL', type: 'gauge', help: 'Share of the last sampling period the video decoder was busy (in %).', value: (g) => g.decoderUtilizationPct },
  { name: 'DCGM_FI_DEV_XID_ERRORS', type: 'gauge', help: 'Value of the last XID error encountered.', value: lastXid },
  { name: 'DCGM_FI_DEV_FB_FREE', type: 'gauge', help: 'Framebuffer memory free (in MiB).', value: (g) => g.framebufferFreeMiB },
  { name: 'DCGM_FI_DEV_FB_USED', type: 'gauge', help: 'Framebuffer memory used (in MiB).', value: (g) => g.framebufferUsedMiB },
  { name: 'DCGM_FI_DEV_FB_TOTAL', type: 'gauge', help: 'Framebuffer memory total (in MiB).', value: (g) => g.framebufferTotalMiB },
  { name: 'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', type: 'counter', help: 'Total number of single-bit volatile ECC errors.', value: (g) => g.ecc.volatileCorrected },
  { name: 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', type: 'counter', help: 'Total number of double-bit volatile ECC errors.', value: (g) => g.ecc.volatileUncorrected },
  { name: 'DCGM_FI_DEV_ECC_SBE_AGG_TOTAL', type: 'counter', help: 'Total number of single-bit persistent ECC errors.', value: (g) => g.ecc.aggregateCorrected },
  { name: 'DCGM_FI_DEV_ECC_DBE_AGG_TOTAL', type: 'counter', help: 'Total number of double-bit persistent ECC errors.', value: (g) => g.ecc.aggregateUncorrected },
  { name: 'DCGM_FI_DEV_RETIRED_SBE', type: 'counter', help: 'Total number of retired pages due to single-bit errors.', value: (g) => g.retiredPages?.singleBit ?? null },
  { name: 'DCGM_FI_DEV_RETIRED_DBE', type: 'counter', help: 'Total number of retired pages due to double-bit errors.', value: (g) => g.retiredPages?.doubleBit ?? null },
  { name: 'DCGM_FI_DEV_RETIRED_PENDING', type: 'gauge', help: 'Whether a page retirement is pending (a GPU reset applies it)', value: (g) => flag(g.retiredPages?.pending) },
  { name: 'DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL', type: 'counter', help: 'Total number of NVLink retries.', value: (g) => sum(g.nvlink?.map((l) => l.replayErrors)) },
  { name: 'DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL', type: 'counter', help: 'Total number of NVLink recovery errors.', value: (g) => sum(g.nvlink?.map((l) => l.recoveryErrors)) },
  { name: 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', type: 'counter', help: 'Number of remapped rows for uncorrectable errors', value: (g) => g.remappedRows?.uncorrectable ?? null },
  { name: 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', type: 'counter', help: 'Number of remapped rows for correctable errors', value: (g) => g.remappedRows?.correctable ?? null },
  { name: 'DCGM_FI_DEV_ROW_REMAP_FAILURE', type: 'gauge', help: 'Whether remapping of rows has failed', value: (g) => flag(g.remappedRows?.failed) },
  { name: 'DCGM_FI_DEV_ROW_REMAP_PENDING', type: 'gauge', help: 'Whether remapping of rows is pending (a GPU reset applies it)', value: (g) => flag(g.remappedRows?.pending) },
];

export interface Outboxed {
  size(): Promise<{ readonly samples: number; readonly events: number }>;
  readonly dropped: { readonly samples: number; readonly events: number };
}

/** What the daemon tells the metrics; the registry serves it. */
export interface AgentMetrics {
  readonly registry: Registry;
  /** After each collection pass. */
  collected(snapshot: HostSnapshot, report: ScanReport, at: Date): void;
  collectFailed(): void;
  /** A batch was accepted by the server. */
  sent(at: Date): void;
  sendFailed(): void;
  /** The server refused a batch for good (not as too large): it was dropped. */
  refused(): void;
  /** Deliveries held (the server refuses every batch: this agent's protocol version or host key), or no more. */
  held(on: boolean): void;
}

const seconds = (at: Date): number => at.getTime() / 1000;

/**
 * A registry with the DCGM metrics of the last pass, the agent's own `locus_agent_*` metrics
 * and the process's memory and CPU time.
 */
export function createAgentMetrics(o: { readonly hostname: string; readonly outbox?: Outboxed }): AgentMetrics {
  const registry = new Registry();
  let last: { snapshot: HostSnapshot; report: ScanReport } | undefined;
  const labelsOf = (g: GpuSample, s: HostSnapshot): Record<DcgmLabel, string> => ({
    gpu: String(g.identity.index),
    UUID: g.identity.uuid,
    pci_bus_id: g.identity.pciBusId,
    device: `nvidia${g.identity.index}`,
    modelName: g.identity.name,
    Hostname: o.hostname,
    DCGM_FI_DRIVER_VERSION: g.driverVersion ?? s.driverVersion ?? '',
  });

  for (const m of DCGM_METRICS) {
    const fill = (set: (labels: Record<DcgmLabel, string>, value: number) => void) => {
      for (const g of last?.snapshot.gpus ?? []) {
        const value = m.value(g, last!.snapshot);
        if (value !== null) set(labelsOf(g, last!.snapshot), value);
      }
    };
    const common = { name: m.name, help: m.help, labelNames: DCGM_LABELS, registers: [registry] };
    if (m.type === 'gauge') {
      new Gauge({ ...common, collect() { this.reset(); fill((l, v) => this.set(l, v)); } });
    } else {
      // A counter that NVML already totals: each scrape states the total, as dcgm-exporter does.
      new Counter({ ...common, collect() { this.reset(); fill((l, v) => this.inc(l, v)); } });
    }
  }

  new Gauge({
    name: 'locus_agent_info',
    help: 'Where the agent read the GPUs last (source: nvml, nvidia-smi or simulator) and the driver version.',
    labelNames: ['source', 'driver_version'],
    registers: [registry],
    collect() {
      this.reset();
      if (last) this.set({ source: last.snapshot.source, driver_version: last.snapshot.driverVersion ?? '' }, 1);
    },
  });
  new Gauge({ name: 'locus_agent_build_info', help: 'The agent software: 1, with its version.', labelNames: ['version'], registers: [registry] }).set({ version: AGENT_VERSION }, 1);
  new Gauge({
    name: 'locus_agent_kernel_log_readable',
    help: 'Whether the last pass could read the kernel log (1) or not (0: no root, or no CAP_SYSLOG where kernel.dmesg_restrict=1): without it Xid and SXid events are not checked, and DCGM_FI_DEV_XID_ERRORS has no series.',
    registers: [registry],
    collect() {
      this.reset();
      if (last) this.set(last.snapshot.kernelLogUnread === undefined ? 1 : 0);
    },
  });
  const lastCollect = new Gauge({ name: 'locus_agent_last_collect_timestamp_seconds', help: 'When the last collection pass that succeeded ended (Unix time, s); 0 before the first.', registers: [registry] });
  const collectFailures = new Counter({ name: 'locus_agent_collect_failures_total', help: 'Collection passes that failed (no driver, nvidia-smi error).', registers: [registry] });
  const lastSend = new Gauge({ name: 'locus_agent_last_send_success_timestamp_seconds', help: 'When the server last accepted a batch (Unix time, s); 0 before the first.', registers: [registry] });
  const batchesSent = new Counter({ name: 'locus_agent_batches_sent_total', help: 'Batches the server accepted.', registers: [registry] });
  const sendFailures = new Counter({ name: 'locus_agent_send_failures_total', help: 'Attempts to send a batch that failed (server away, refused).', registers: [registry] });
  const batchesRefused = new Counter({ name: 'locus_agent_batches_refused_total', help: 'Batches the server refused for good (not as too large, nor as of a protocol version it does not read), dropped from the outbox: their samples and events are lost.', registers: [registry] });
  const deliveryHeld = new Gauge({ name: 'locus_agent_delivery_held', help: "1 while the server refuses every batch alike (the protocol version this agent writes, an agent newer than its server; or its host key, a node no longer enrolled there): the outbox is held, nothing dropped but past its bound, and sent once a server takes it; else 0.", registers: [registry] });
  new Gauge({
    name: 'locus_agent_gpus',
    help: 'GPUs of the last pass: present (answering) or missing (the inventory knows them, they do not answer).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      if (!last) return;
      this.set({ state: 'present' }, last.snapshot.gpus.length);
      this.set({ state: 'missing' }, last.snapshot.missingGpus.length);
    },
  });
  new Gauge({
    name: 'locus_agent_component_health',
    help: 'Health of each component over the host (its worst GPU): 1 for the current state, 0 for the others.',
    labelNames: ['component', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of last?.report.components ?? []) for (const state of HEALTH_STATES) this.set({ component: c.name, state }, c.health === state ? 1 : 0);
    },
  });
  new Gauge({
    name: 'locus_agent_gpu_health',
    help: 'Health of each GPU over every component: 1 for the current state, 0 for the others.',
    labelNames: ['gpu', 'UUID', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const g of last?.report.gpus ?? []) for (const state of HEALTH_STATES) this.set({ gpu: String(g.index), UUID: g.uuid, state }, g.health === state ? 1 : 0);
    },
  });
  if (o.outbox) {
    const outbox = o.outbox;
    new Gauge({
      name: 'locus_agent_outbox_items',
      help: 'Items waiting in the outbox to be sent, by kind (sample or event).',
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        const size = await outbox.size();
        this.set({ kind: 'sample' }, size.samples);
        this.set({ kind: 'event' }, size.events);
      },
    });
    new Counter({
      name: 'locus_agent_outbox_dropped_total',
      help: 'Items dropped because the outbox was full (oldest samples first), by kind.',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ kind: 'sample' }, outbox.dropped.samples);
        this.inc({ kind: 'event' }, outbox.dropped.events);
      },
    });
  }
  // Two process figures rather than prom-client's default set, whose event-loop monitor wakes the process every 10 ms.
  new Gauge({ name: 'locus_agent_process_resident_memory_bytes', help: 'Resident memory of the agent process (bytes).', registers: [registry], collect() { this.set(process.memoryUsage.rss()); } });
  new Counter({
    name: 'locus_agent_process_cpu_seconds_total',
    help: 'CPU time the agent process used, user and system (s).',
    registers: [registry],
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });

  return {
    registry,
    collected(snapshot, report, at) {
      last = { snapshot, report };
      lastCollect.set(seconds(at));
    },
    // A pass that failed leaves nothing current to show: the GPUs' series and health go (stale
    // to Prometheus, so absent() and staleness alerts see it), as dcgm-exporter's do when DCGM
    // cannot read a GPU, rather than stating the last good values as if read now.
    collectFailed() {
      last = undefined;
      collectFailures.inc();
    },
    sent(at) {
      lastSend.set(seconds(at));
      batchesSent.inc();
    },
    sendFailed: () => sendFailures.inc(),
    refused: () => batchesRefused.inc(),
    held: (on) => deliveryHeld.set(on ? 1 : 0),
  };
}
