import { afterEach, describe, expect, it } from 'vitest';
import { ALL_COMPONENTS } from './components/all.js';
import { DCGM_LABELS, DCGM_METRICS, createAgentMetrics } from './metrics.js';
import { AGENT_VERSION } from './version.js';
import { isLoopback, parseListen, startMetricsServer, type MetricsServer } from './metrics-server.js';
import { scan } from './report.js';
import { parseFleetSpec, type FleetSpec } from './simulator/models.js';
import { simulateHost } from './simulator/simulate.js';
import type { GpuSample } from './model.js';
import type { HostSnapshot } from './snapshot.js';
import { parseExposition } from '../../../test/support/prometheus.js';

const now = new Date('2026-11-29T12:00:00.000Z');
const at = now.toISOString();
const snapshot = simulateHost(parseFleetSpec('8xH100') as FleetSpec, 'metrics-test', now, [
  { kind: 'xid', xid: 48, gpu: 2, at },
  { kind: 'lost', gpu: 6, at },
  { kind: 'remap-pending', gpu: 1, at },
]);

async function exposition(of: HostSnapshot = snapshot): Promise<string> {
  const metrics = createAgentMetrics({ hostname: 'gpu-07', outbox: { size: async () => ({ samples: 3, events: 1 }), dropped: { samples: 0, events: 0 } } });
  metrics.collected(of, scan(of, ALL_COMPONENTS), now);
  metrics.sent(now);
  metrics.sendFailed();
  return metrics.registry.metrics();
}

describe('Prometheus metrics of a simulated 8×H100 host', () => {
  it('names, types and labels every GPU metric as dcgm-exporter does', async () => {
    const { types, series } = parseExposition(await exposition());
    for (const m of DCGM_METRICS) expect(types.get(m.name), m.name).toBe(m.type);
    const temp = series.get('DCGM_FI_DEV_GPU_TEMP')!;
    // GPU 6 is lost: it has no series, as dcgm-exporter shows none for a GPU it cannot read.
    expect(temp.map((s) => /gpu="(\d+)"/.exec(s.labels)![1])).toEqual(['0', '1', '2', '3', '4', '5', '7']);
    const g0 = snapshot.gpus[0]!;
    expect(temp[0]!.labels).toBe(`{gpu="0",UUID="${g0.identity.uuid}",pci_bus_id="00000000:18:00.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="gpu-07",DCGM_FI_DRIVER_VERSION="570.133.20"}`);
    expect([...temp[0]!.labels.matchAll(/(\w+)=/g)].map((m) => m[1])).toEqual([...DCGM_LABELS]);
  });

  it('states the power limit, the PCIe link and the clock event reasons as the bitmask dcgm-exporter gives', async () => {
    const g = (reasons: GpuSample['clockEventReasons']): HostSnapshot => ({ ...snapshot, gpus: [{ ...snapshot.gpus[0]!, clockEventReasons: reasons }] });
    const mask = async (reasons: GpuSample['clockEventReasons']) => parseExposition(await exposition(g(reasons))).series.get('DCGM_FI_DEV_CLOCKS_EVENT_REASONS')?.map((s) => s.value);
    expect(await mask(['sw_power_cap', 'hw_thermal_slowdown'])).toEqual([0x44]);
    expect(await mask([])).toEqual([0]);
    // Not reported: no series, never a 0 that would say "nothing holds the clocks down".
    expect(await mask(null)).toBeUndefined();
    const { series } = parseExposition(await exposition());
    const g0 = snapshot.gpus[0]!;
    expect([series.get('DCGM_FI_DEV_POWER_MGMT_LIMIT')![0]!.value, series.get('DCGM_FI_DEV_PCIE_LINK_GEN')![0]!.value, series.get('DCGM_FI_DEV_PCIE_LINK_WIDTH')![0]!.value]).toEqual([g0.powerLimitW, g0.pcie.gen, g0.pcie.width]);
  });

  it.each([
    ['DCGM_FI_DEV_ENC_UTIL', 'gauge'],
    ['DCGM_FI_DEV_DEC_UTIL', 'gauge'],
  ])('declares %s, by dcgm-exporter’s name, as a %s', async (name, type) => {
    expect(parseExposition(await exposition()).types.get(name)).toBe(type);
  });

  it('gives the video encoder and decoder utilisation each from its own field, and no series where a GPU does not report it', async () => {
    const busy: HostSnapshot = { ...snapshot, gpus: snapshot.gpus.map((g, i) => ({ ...g, encoderUtilizationPct: i === 0 ? null : i, decoderUtilizationPct: 50 + i })) };
    const { series } = parseExposition(await exposition(busy));
    expect(series.get('DCGM_FI_DEV_ENC_UTIL')!.map((s) => [/gpu="(\d+)"/.exec(s.labels)![1], s.value])).toEqual([['1', 1], ['2', 2], ['3', 3], ['4', 4], ['5', 5], ['7', 6]]);
    expect(series.get('DCGM_FI_DEV_DEC_UTIL')!.map((s) => s.value)).toEqual([50, 51, 52, 53, 54, 55, 56]);
  });

  it('types the 0/1 states as gauges: a flag that falls back to 0 is no counter reset', () => {
    for (const name of ['DCGM_FI_DEV_RETIRED_PENDING', 'DCGM_FI_DEV_ROW_REMAP_FAILURE', 'DCGM_FI_DEV_ROW_REMAP_PENDING']) expect(DCGM_METRICS.find((m) => m.name === name)?.type, name).toBe('gauge');
  });

  it.each([
    ['DCGM_FI_DEV_GPU_TEMP', (i: number) => snapshot.gpus[i]!.temperatureC],
    ['DCGM_FI_DEV_POWER_USAGE', (i: number) => snapshot.gpus[i]!.powerDrawW],
    ['DCGM_FI_DEV_SM_CLOCK', (i: number) => snapshot.gpus[i]!.smClockMHz],
    ['DCGM_FI_DEV_GPU_UTIL', (i: number) => snapshot.gpus[i]!.gpuUtilizationPct],
    ['DCGM_FI_DEV_FB_USED', (i: number) => snapshot.gpus[i]!.framebufferUsedMiB],
    ['DCGM_FI_DEV_FB_FREE', (i: number) => snapshot.gpus[i]!.framebufferFreeMiB],
    ['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', (i: number) => snapshot.gpus[i]!.energyMj],
    ['DCGM_FI_DEV_PCIE_REPLAY_COUNTER', (i: number) => snapshot.gpus[i]!.pcie.replayCounter],
  ])('gives %s in the unit of the model field it comes from', async (name, field) => {
    const values = parseExposition(await exposition()).series.get(name)!.map((s) => s.value);
    expect(values).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => field(i)));
  });

  it('states the last Xid per GPU (0 for none), the ECC counts and the row-remap state', async () => {
    const { series } = parseExposition(await exposition());
    // GPU 2's double-bit error logged Xid 48, then the Xid 63 of the row it marked: the last is 63.
    expect(series.get('DCGM_FI_DEV_XID_ERRORS')!.map((s) => s.value)).toEqual([0, 0, 63, 0, 0, 0, 0]);
    // GPU 2's Xid 48 is a double-bit error: counted, with a row remap pending; GPU 1 only waits for a remap.
    expect(series.get('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL')!.map((s) => s.value)).toEqual([0, 0, 1, 0, 0, 0, 0]);
    expect(series.get('DCGM_FI_DEV_ECC_DBE_AGG_TOTAL')!.map((s) => s.value)).toEqual([0, 0, 1, 0, 0, 0, 0]);
    expect(series.get('DCGM_FI_DEV_ROW_REMAP_PENDING')!.map((s) => s.value)).toEqual([0, 1, 1, 0, 0, 0, 0]);
    expect(series.get('DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS')!.map((s) => s.value)).toEqual([0, 1, 1, 0, 0, 0, 0]);
    // The simulated H100 retires no pages: no series rather than a false zero.
    expect(series.get('DCGM_FI_DEV_RETIRED_SBE')).toBeUndefined();
  });

  it('gives no Xid series, and says the kernel log went unread, when it could not be read: not known is not 0', async () => {
    const unread: HostSnapshot = { ...snapshot, xids: [], sxids: [], kernelLogUnread: 'kernel log unreadable (dmesg and journalctl -k failed): Xid events are not checked' };
    const { series } = parseExposition(await exposition(unread));
    expect(series.get('DCGM_FI_DEV_XID_ERRORS')).toBeUndefined();
    expect(series.get('locus_agent_kernel_log_readable')).toEqual([{ labels: '', label: {}, value: 0 }]);
    expect(series.get('locus_agent_component_health')!.filter((s) => s.label.component === 'xid' && s.value === 1).map((s) => s.label.state)).toEqual(['unknown']);
    expect(parseExposition(await exposition()).series.get('locus_agent_kernel_log_readable')).toEqual([{ labels: '', label: {}, value: 1 }]);
  });

  it("reports the agent's own state under locus_agent_*", async () => {
    const text = await exposition();
    const { series, types } = parseExposition(text);
    expect(text).toContain('locus_agent_outbox_items{kind="sample"} 3');
    expect(text).toContain('locus_agent_outbox_items{kind="event"} 1');
    expect(series.get('locus_agent_last_send_success_timestamp_seconds')).toEqual([{ labels: '', label: {}, value: now.getTime() / 1000 }]);
    expect(series.get('locus_agent_send_failures_total')).toEqual([{ labels: '', label: {}, value: 1 }]);
    expect(text).toContain('locus_agent_info{source="simulator",driver_version="570.133.20"} 1');
    expect(text).toContain(`locus_agent_build_info{version="${AGENT_VERSION}"} 1`);
    expect(text).toContain('locus_agent_gpus{state="missing"} 1');
    expect(text).toContain('locus_agent_component_health{component="gpu-count",state="unhealthy"} 1');
    expect(text).toContain('locus_agent_component_health{component="thermal",state="healthy"} 1');
    expect(types.get('locus_agent_process_cpu_seconds_total')).toBe('counter');
    expect(series.get('locus_agent_process_resident_memory_bytes')![0]!.value).toBeGreaterThan(1e6);
  });

  it('has no GPU series before the first pass', async () => {
    const text = await createAgentMetrics({ hostname: 'h' }).registry.metrics();
    expect(text).toContain('# TYPE DCGM_FI_DEV_GPU_TEMP gauge');
    expect(text).not.toMatch(/^DCGM_FI_DEV_GPU_TEMP\{/m);
  });
});

describe('after a collection pass that failed', () => {
  it('serves no GPU series or health, only what tells of the failure', async () => {
    const metrics = createAgentMetrics({ hostname: 'gpu-07' });
    metrics.collected(snapshot, scan(snapshot, ALL_COMPONENTS), now);
    expect(parseExposition(await metrics.registry.metrics()).series.get('DCGM_FI_DEV_GPU_TEMP')).toHaveLength(7);
    metrics.collectFailed();
    const { series } = parseExposition(await metrics.registry.metrics());
    for (const name of [...DCGM_METRICS.map((m) => m.name), 'locus_agent_gpu_health', 'locus_agent_component_health', 'locus_agent_gpus', 'locus_agent_info']) expect(series.get(name) ?? [], name).toEqual([]);
    expect(series.get('locus_agent_collect_failures_total')![0]!.value).toBe(1);
    expect(series.get('locus_agent_last_collect_timestamp_seconds')![0]!.value).toBe(now.getTime() / 1000);
    // The next pass that succeeds brings them back.
    metrics.collected(snapshot, scan(snapshot, ALL_COMPONENTS), now);
    expect(parseExposition(await metrics.registry.metrics()).series.get('DCGM_FI_DEV_GPU_TEMP')).toHaveLength(7);
  });
});

describe('the metrics endpoint', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => server?.close());

  it('serves GET /metrics on loopback and answers 404 to everything else', async () => {
    const metrics = createAgentMetrics({ hostname: 'gpu-07' });
    metrics.collected(snapshot, scan(snapshot, ALL_COMPONENTS), now);
    server = await startMetricsServer(metrics.registry, { host: '127.0.0.1', port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await ok.text()).toMatch(/^DCGM_FI_DEV_FB_USED\{gpu="0"/m);
    const base = server.url.replace(/\/metrics$/, '');
    for (const [method, path] of [['GET', '/'], ['POST', '/metrics'], ['PUT', '/metrics'], ['DELETE', '/metrics'], ['GET', '/metrics/x'], ['GET', '/api/v1/command']] as const) {
      const res = await fetch(`${base}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.text()).toBe('not found: this agent serves only GET /metrics\n');
    }
  });

  it('names in its 404 the process it serves for', async () => {
    server = await startMetricsServer(createAgentMetrics({ hostname: 'gpu-07' }).registry, { host: '127.0.0.1', port: 0 }, 'this landmark');
    const res = await fetch(server.url.replace(/\/metrics$/, '/'));
    expect([res.status, await res.text()]).toEqual([404, 'not found: this landmark serves only GET /metrics\n']);
  });

  it.each([
    ['127.0.0.1:9400', { host: '127.0.0.1', port: 9400 }],
    [':9500', { host: '127.0.0.1', port: 9500 }],
    ['[::1]:9400', { host: '::1', port: 9400 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['localhost:9400', { host: 'localhost', port: 9400 }],
    ['9400', undefined],
    ['127.0.0.1:99999', undefined],
    ['127.0.0.1:', undefined],
    ['a b:1', undefined],
  ])('reads the listen address %j', (text, expected) => expect(parseListen(text)).toEqual(expected));

  it.each([['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['localhost', true], ['0.0.0.0', false], ['10.0.0.5', false], ['::', false]])('knows whether %s is loopback', (host, loopback) => expect(isLoopback(host)).toBe(loopback));
});
