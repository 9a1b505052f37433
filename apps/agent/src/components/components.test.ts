import { describe, expect, it } from 'vitest';
import type { GpuSample } from '../model.js';
import { scan } from '../report.js';
import { parseFault } from '../simulator/faults.js';
import { parseFleetSpec, type FleetSpec } from '../simulator/models.js';
import { simulateHost } from '../simulator/simulate.js';
import type { HostSnapshot } from '../snapshot.js';
import { xidKey } from '../xid-cleared.js';
import { ALL_COMPONENTS } from './all.js';
import { runComponent, strongestAction, worst, type Component } from './component.js';

const now = new Date('2026-11-29T12:00:00.000Z');
const host = (faults: string[] = [], spec = '8xH100', clearedXids: ReadonlySet<string> = new Set(), at = now): HostSnapshot =>
  simulateHost(parseFleetSpec(spec) as FleetSpec, 'seed', at, faults.map((f) => parseFault(f.split(' '), 8, now) as never), clearedXids);

const withGpu = (s: HostSnapshot, i: number, change: (g: GpuSample) => GpuSample): HostSnapshot => ({ ...s, gpus: s.gpus.map((g) => (g.identity.index === i ? change(g) : g)) });

describe('health components on a simulated host', () => {
  it('find a healthy host healthy, with one finding per GPU per component', () => {
    const report = scan(host(), ALL_COMPONENTS);
    expect(report.health).toBe('healthy');
    expect(report.gpus).toHaveLength(8);
    expect(report.components.map((c) => c.name)).toEqual(['gpu-count', 'xid', 'ecc', 'remapped-rows', 'thermal', 'power', 'clocks', 'pcie', 'nvlink', 'nvswitch', 'persistence', 'driver']);
    expect(Object.keys(report.gpus[0]!.checks)).toEqual(['ecc', 'remapped-rows', 'thermal', 'power', 'clocks', 'pcie', 'nvlink', 'persistence']);
  });

  it.each([
    ['xid=79 gpu=3', 3, 'unhealthy', 'reboot', ['gpu-count', 'xid']],
    ['xid=94 gpu=1', 1, 'degraded', 'restart_app', ['xid']],
    // The row it marked waits for a reset; the Xid itself only records that.
    ['xid=63 gpu=1', 1, 'degraded', 'reset_gpu', ['remapped-rows']],
    ['xid=48 gpu=2', 2, 'unhealthy', 'reset_gpu', ['xid', 'ecc', 'remapped-rows']],
    ['ecc=dbe gpu=2', 2, 'unhealthy', 'reset_gpu', ['xid', 'ecc', 'remapped-rows']],
    ['remap=pending gpu=0', 0, 'degraded', 'reset_gpu', ['remapped-rows']],
    ['remap=failed gpu=0', 0, 'unhealthy', 'inspect_hardware', ['remapped-rows']],
    ['thermal gpu=5', 5, 'degraded', 'inspect_hardware', ['thermal']],
    ['power-brake gpu=6', 6, 'degraded', 'inspect_hardware', ['power']],
    ['pcie=degraded gpu=4', 4, 'degraded', 'inspect_hardware', ['pcie']],
    ['nvlink=down gpu=7', 7, 'degraded', 'reset_gpu', ['nvlink']],
    ['lost gpu=2', 2, 'unhealthy', 'reboot', ['gpu-count']],
  ])('report %s on that GPU as %s, suggesting %s', (fault, index, health, action, failing) => {
    const report = scan(host([fault]), ALL_COMPONENTS);
    const gpu = report.gpus.find((g) => g.index === index)!;
    expect(gpu.health).toBe(health);
    expect(gpu.suggestedAction).toBe(action);
    expect(Object.entries(gpu.checks).filter(([, c]) => c.health !== 'healthy').map(([name]) => name)).toEqual(failing);
    for (const other of report.gpus.filter((g) => g.index !== index)) expect(other.health, `GPU ${other.index}`).toBe('healthy');
  });

  it.each(['xid=48 gpu=2', 'ecc=dbe gpu=2'])('judge the ECC counters of a double-bit error (%s) as NVIDIA asks: reset the GPU, then only its lifetime count is left', (fault) => {
    const before = scan(host([fault]), ALL_COMPONENTS).gpus[2]!.checks;
    expect(before.ecc).toEqual({ health: 'unhealthy', reason: '1 uncorrectable ECC error(s) since the last reset', suggestedAction: 'reset_gpu' });
    expect(before['remapped-rows']).toMatchObject({ health: 'degraded', suggestedAction: 'reset_gpu' });
    // Its Xid 63 (the row marked) is information beside the Xid 48, which asks for the reset.
    expect(before.xid).toMatchObject({ health: 'unhealthy', suggestedAction: 'reset_gpu', reason: expect.stringMatching(/^Xid 48: .*; Xid 63: A memory row remap/) });
    // The simulator takes the Xid cleared with clear-xids as the reset done; the collector leaves the cleared line out.
    const reset = host([fault], '8xH100', new Set(host([fault]).xids.map(xidKey)));
    const after = scan({ ...reset, xids: [] }, ALL_COMPONENTS).gpus[2]!;
    expect(after.health).toBe('healthy');
    expect(after.checks.ecc!.reason).toBe("no uncorrectable ECC errors since the last reset (0 corrected since reset); 1 over the GPU's life");
    expect(after.checks['remapped-rows']!.reason).toBe('0 correctable and 1 uncorrectable rows remapped');
  });

  it('find a GPU idle between jobs healthy, its idle clocks no clock event', () => {
    const at = Array.from({ length: 102 }, (_, k) => new Date(now.getTime() + 5_000 + k * 10_000)).find((t) => host([], '8xH100', new Set(), t).gpus.some((g) => g.gpuUtilizationPct === 0))!;
    const snapshot = host([], '8xH100', new Set(), at);
    const idle = snapshot.gpus.find((g) => g.gpuUtilizationPct === 0)!;
    expect(idle.clockEventReasons).toEqual(['gpu_idle']);
    const report = scan(snapshot, ALL_COMPONENTS);
    expect(report.health).toBe('healthy');
    expect(report.gpus[idle.identity.index]!.checks.clocks).toEqual({ health: 'healthy', reason: '345 MHz, no clock events' });
  });

  it.each([
    ['sxid=20034 fatal switch=1', 'unhealthy', 'reboot', /^1 fatal NVSwitch error\(s\), as the driver logged them: SXid 20034 on 0000:06:00\.0 \(Link 48 LTSSM Fault Up\)/],
    ['sxid=12028 non-fatal switch=2', 'healthy', undefined, /^1 non-fatal NVSwitch error\(s\), corrected by the switch: SXid 12028 on 0000:07:00\.0/],
  ])('judge an injected %s by its Fatal or Non-fatal mark, about the host and no GPU', (fault, health, action, reason) => {
    const report = scan(host([fault]), ALL_COMPONENTS);
    const [finding] = report.components.find((c) => c.name === 'nvswitch')!.results;
    expect(finding).toEqual({ health, reason: expect.stringMatching(reason), ...(action ? { suggestedAction: action } : {}) });
    expect(report.health).toBe(health);
    for (const gpu of report.gpus) expect(gpu.health, `GPU ${gpu.index}`).toBe('healthy');
  });

  it('keeps a GPU that stopped answering in the report, marked absent', () => {
    const gpu = scan(host(['xid=79 gpu=3']), ALL_COMPONENTS).gpus[3]!;
    expect(gpu).toMatchObject({ index: 3, present: false, sample: null, health: 'unhealthy', suggestedAction: 'reboot' });
    expect(gpu.checks.xid!.reason).toMatch(/Xid 79/);
  });

  it('note ECC disabled without degrading the GPU; flag persistence off and mixed drivers', () => {
    let s = withGpu(host(), 0, (g) => ({ ...g, ecc: { ...g.ecc, enabled: false } }));
    s = withGpu(s, 1, (g) => ({ ...g, persistenceMode: false }));
    s = withGpu(s, 2, (g) => ({ ...g, driverVersion: '535.54.03' }));
    const report = scan(s, ALL_COMPONENTS);
    expect(report.gpus[0]!.checks.ecc).toMatchObject({ health: 'healthy', reason: expect.stringMatching(/^ECC is disabled: memory errors are neither corrected nor counted/) });
    expect(report.gpus[1]!.checks.persistence!.health).toBe('degraded');
    expect(report.components.find((c) => c.name === 'driver')!.results[0]).toMatchObject({ health: 'degraded', reason: /different drivers/ });
  });

  it('call a GPU with every NVLink down unknown (a PCIe board without bridges, or an HGX fabric down), never healthy', () => {
    const allDown = withGpu(host(), 3, (g) => ({ ...g, nvlink: g.nvlink!.map((l) => ({ ...l, active: false })) }));
    const check = scan(allDown, ALL_COMPONENTS).gpus[3]!.checks.nvlink;
    expect(check).toMatchObject({ health: 'unknown', reason: expect.stringMatching(/^no NVLink up \(0 of 18\): .*fabric is down/) });
    const oneDown = withGpu(host(), 3, (g) => ({ ...g, nvlink: g.nvlink!.map((l, i) => ({ ...l, active: i !== 0 })) }));
    expect(scan(oneDown, ALL_COMPONENTS).gpus[3]!.checks.nvlink).toMatchObject({ health: 'degraded', suggestedAction: 'reset_gpu' });
  });

  it('leave out components a GPU cannot report (no remapping, no NVLink) instead of guessing', () => {
    const s = withGpu(host(), 0, (g) => ({ ...g, remappedRows: null, nvlink: null }));
    const report = scan(s, ALL_COMPONENTS);
    expect(report.gpus[0]!.checks['remapped-rows']).toBeUndefined();
    expect(report.gpus[0]!.checks.nvlink).toBeUndefined();
    expect(report.gpus[1]!.checks['remapped-rows']).toBeDefined();
  });
});

describe('component plumbing', () => {
  it('turns a throwing component into an unknown result', () => {
    const broken: Component = { name: 'broken', isSupported: () => true, check: () => { throw new Error('boom'); } };
    expect(runComponent(broken, host())).toEqual([{ health: 'unknown', reason: 'check failed: boom' }]);
  });

  it('ranks health and actions', () => {
    expect(worst(['healthy', 'unknown', 'degraded'])).toBe('degraded');
    expect(worst([])).toBe('healthy');
    expect(strongestAction(['restart_app', undefined, 'reboot', 'reset_gpu'])).toBe('reboot');
    expect(strongestAction([undefined])).toBeUndefined();
  });
});
