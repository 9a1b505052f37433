import type * as NodeFs from 'node:fs';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { sharedData } from '../../../test/support/shared-data.js';
import { CollectError, collect, collectRaw, type CollectSources } from './collect.js';
import { parseFault, type Fault } from './simulator/faults.js';
import { loadSimulator, saveSimulator } from './state.js';
import { clearXids } from './xid-cleared.js';
import { ALL_COMPONENTS } from './components/all.js';
import { NVML_RETURN } from './nvml/api.js';
import { FakeNvml, fakeH100, type FakeNvmlData } from './nvml/fake.js';
import { scan } from './report.js';

// Reads pass through; a test counts those of one file.
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof NodeFs>();
  return { ...fs, readFileSync: vi.fn(fs.readFileSync) };
});

const dir = sharedData('nvidia');
const now = new Date('2026-11-29T03:00:00.000Z');
const stateDir = () => mkdtempSync(join(tmpdir(), 'locus-collect-'));
const XID_79 = '[2026-11-29T02:59:00,123456+00:00] NVRM: Xid (PCI:0000:2a:00): 79, pid=\'<unknown>\', name=<unknown>, GPU has fallen off the bus.\n';

const noSmi: CollectSources['nvidiaSmiXml'] = () => Promise.reject(new CollectError('no-gpu', 'nvidia-smi is not on PATH'));
const kernelLog: CollectSources['kernelLog'] = () => Promise.resolve({ text: '' });
const fakeNvml = (data: FakeNvmlData): CollectSources['openNvml'] => () => Promise.resolve({ nvml: new FakeNvml(data) });
const eightH100: FakeNvmlData = { driverVersion: '570.133.20', cudaDriverVersion: 12080, gpus: Array.from({ length: 8 }, (_, i) => fakeH100(i)) };

describe('collect from the real driver', () => {
  it('reads through NVML when it loads, and every health check runs on what it read', async () => {
    const { snapshot, notes } = await collect({ stateDir: stateDir(), now, sources: { openNvml: fakeNvml(eightH100), nvidiaSmiXml: noSmi, kernelLog } });
    expect(snapshot).toMatchObject({ source: 'nvml', driverVersion: '570.133.20', cudaVersion: '12.8', expectedGpus: 8, missingGpus: [], xids: [], collectedAt: now.toISOString() });
    expect(snapshot.gpus).toHaveLength(8);
    expect(notes).toEqual([]);
    const report = scan(snapshot, ALL_COMPONENTS);
    expect(report.health).toBe('healthy');
    expect(report.components.map((c) => c.name)).toEqual(['gpu-count', 'xid', 'ecc', 'remapped-rows', 'thermal', 'power', 'clocks', 'pcie', 'nvlink', 'nvswitch', 'persistence', 'driver']);
  });

  it('reports a GPU that fell off the bus mid-read as missing, with its Xid 79 from the kernel log', async () => {
    const gpus = eightH100.gpus.map((g, i) => (i === 1 ? { ...g, lostAfterCalls: 12 } : g));
    const { snapshot } = await collect({ stateDir: stateDir(), now, sources: { openNvml: fakeNvml({ ...eightH100, gpus }), nvidiaSmiXml: noSmi, kernelLog: () => Promise.resolve({ text: XID_79 }) } });
    expect(snapshot.missingGpus).toEqual([{ index: 1, uuid: 'GPU-00000001-aaaa-bbbb-cccc-0123456789ab', pciBusId: '00000000:2A:00.0' }]);
    const report = scan(snapshot, ALL_COMPONENTS);
    expect(report.gpus[1]).toMatchObject({ present: false, health: 'unhealthy', checks: { 'gpu-count': { health: 'unhealthy' }, xid: { health: 'unhealthy' } } });
  });

  it('says which fields NVML refused for another reason than "not supported"', async () => {
    const gpus = [fakeH100(0, { codes: { eccVolatileCorrected: NVML_RETURN.NO_PERMISSION } })];
    const { notes } = await collect({ stateDir: stateDir(), now, sources: { openNvml: fakeNvml({ gpus }), nvidiaSmiXml: noSmi, kernelLog } });
    expect(notes).toEqual(['NVML refused GPU 0: ecc.volatileCorrected: NO_PERMISSION (4)']);
  });

  it('passes on why the kernel log could not be read, and marks its events unknown rather than absent', async () => {
    const { notes, snapshot } = await collect({ stateDir: stateDir(), now, sources: { openNvml: fakeNvml(eightH100), nvidiaSmiXml: noSmi, kernelLog: () => Promise.resolve({ note: 'kernel log unreadable' }) } });
    expect(notes).toEqual(['kernel log unreadable']);
    expect(snapshot.kernelLogUnread).toBe('kernel log unreadable');
    expect(scan(snapshot, ALL_COMPONENTS).components.filter((c) => c.name === 'xid' || c.name === 'nvswitch').map((c) => [c.name, c.health])).toEqual([['xid', 'unknown'], ['nvswitch', 'unknown']]);
    const read = await collect({ stateDir: stateDir(), now, sources: { openNvml: fakeNvml(eightH100), nvidiaSmiXml: noSmi, kernelLog } });
    expect(read.snapshot.kernelLogUnread).toBeUndefined();
  });

  it.skipIf(!dir)('falls back to nvidia-smi when libnvidia-ml is missing (the real koffi loader, on a host without it)', async () => {
    // README row tesla-v100-sxm3-32gb-dbe-retired-pages-410.104.xml: "ECC errors and retired pages" (1 / 16).
    const xml = readFileSync(join(dir!, 'nvidia-smi-xml', 'tesla-v100-sxm3-32gb-dbe-retired-pages-410.104.xml'), 'utf8');
    const { snapshot, notes } = await collect({ stateDir: stateDir(), now, nvmlLibrary: join(tmpdir(), 'absent', 'libnvidia-ml.so.1'), sources: { nvidiaSmiXml: () => Promise.resolve(xml), kernelLog } });
    expect(snapshot).toMatchObject({ source: 'nvidia-smi', driverVersion: '410.104', expectedGpus: 16 });
    expect(snapshot.gpus[0]!.identity.name).toBe('Tesla V100-SXM3-32GB');
    expect(notes[0]).toMatch(/^NVML unavailable \(.*libnvidia-ml\.so\.1 does not load \(.*\)\): read through nvidia-smi$/);
  });

  class ThrowingNvml extends FakeNvml {
    override deviceCount(): never {
      throw new Error('koffi: bad call');
    }
  }
  it.each([
    ['its device count fails', () => new FakeNvml({ codes: { deviceCount: NVML_RETURN.UNKNOWN }, gpus: [] }), /^NVML unavailable \(nvmlDeviceGetCount failed: UNKNOWN \(999\)\)/],
    ['a call throws', () => new ThrowingNvml({ gpus: [] }), /^NVML unavailable \(reading NVML failed: koffi: bad call\)/],
  ])('falls back to nvidia-smi when NVML loads but %s', async (_what, make, why) => {
    const xml = '<?xml version="1.0" ?><nvidia_smi_log><driver_version>570.133.20</driver_version><attached_gpus>0</attached_gpus></nvidia_smi_log>';
    const { snapshot, notes } = await collect({ stateDir: stateDir(), now, sources: { openNvml: () => Promise.resolve({ nvml: make() }), nvidiaSmiXml: () => Promise.resolve(xml), kernelLog } });
    expect(snapshot.source).toBe('nvidia-smi');
    expect(notes[0]).toMatch(why);
  });

  it('leaves out the kernel-log Xids an operator cleared, and keeps a later one', async () => {
    const dir = stateDir();
    const XID_48 = '[2026-11-29T02:58:00,000001+00:00] NVRM: Xid (PCI:0000:2a:00): 48, pid=1234, name=python, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at partition 0, subpartition 0.\n';
    const read = (text: string) => collect({ stateDir: dir, now, sources: { openNvml: fakeNvml(eightH100), nvidiaSmiXml: noSmi, kernelLog: () => Promise.resolve({ text }) } });
    const first = await read(XID_48);
    expect(first.snapshot.xids.map((x) => x.xid)).toEqual([48]);
    expect(clearXids(dir, first.snapshot.xids)).toBe(1);
    const after = await read(XID_48);
    expect(after.snapshot.xids).toEqual([]);
    expect(after.notes).toContain('1 Xid/SXid event(s) in the kernel log cleared by locus agent clear-xids');
    expect((await collectRaw({ stateDir: dir, now, sources: { openNvml: fakeNvml(eightH100), nvidiaSmiXml: noSmi, kernelLog: () => Promise.resolve({ text: XID_48 }) } })).snapshot.xids).toHaveLength(1);
    expect((await read(XID_48 + XID_79.replace('02:59:00', '03:00:00').replace(': 79,', ': 48,'))).snapshot.xids.map((x) => [x.xid, x.raw.slice(1, 20)])).toEqual([[48, '2026-11-29T03:00:00']]);
  });

  it('leaves out the NVSwitch errors (SXid) an operator cleared after resetting the fabric, and keeps a later one', async () => {
    const dir = stateDir();
    const SXID = '[2026-11-29T02:58:00,000001+00:00] nvidia-nvswitch1: SXid (PCI:0000:06:00.0): 20034, Fatal, Link 48 LTSSM Fault Up\n';
    const LATER = SXID.replace('02:58:00', '03:10:00');
    const read = (text: string) => collect({ stateDir: dir, now, sources: { openNvml: fakeNvml(eightH100), nvidiaSmiXml: noSmi, kernelLog: () => Promise.resolve({ text }) } });
    const first = await read(SXID);
    expect(first.snapshot.sxids).toHaveLength(1);
    expect(clearXids(dir, first.snapshot.sxids)).toBe(1);
    const after = await read(SXID);
    expect(after.snapshot.sxids).toEqual([]);
    expect(after.notes).toContain('1 Xid/SXid event(s) in the kernel log cleared by locus agent clear-xids');
    expect(scan(after.snapshot, ALL_COMPONENTS).components.find((c) => c.name === 'nvswitch')?.health).toBe('healthy');
    const again = await read(SXID + LATER);
    expect(again.snapshot.sxids.map((e) => e.raw.slice(1, 20))).toEqual(['2026-11-29T03:10:00']);
    expect(scan(again.snapshot, ALL_COMPONENTS).components.find((c) => c.name === 'nvswitch')?.health).toBe('unhealthy');
  });

  describe('through an nvidia-smi that fails', () => {
    /** Runs `collect` with an nvidia-smi on PATH that prints `out` and exits with `status`, and no NVML. */
    const withSmi = async (out: string, status: number) => {
      const bin = mkdtempSync(join(tmpdir(), 'locus-smi-'));
      writeFileSync(join(bin, 'nvidia-smi'), `#!/bin/sh\ncat <<'EOF'\n${out}\nEOF\nexit ${status}\n`, { mode: 0o755 });
      const path = process.env.PATH;
      process.env.PATH = `${bin}:${path ?? ''}`;
      try {
        return await collect({ stateDir: stateDir(), now, nvmlLibrary: join(tmpdir(), 'absent', 'libnvidia-ml.so.1'), sources: { kernelLog } });
      } finally {
        process.env.PATH = path;
      }
    };

    it('says what it printed (on stdout) and what NVML said, as a failure to read, not a bug', async () => {
      const attempt = withSmi("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.", 9);
      await expect(attempt).rejects.toMatchObject({
        kind: 'failed',
        message: expect.stringMatching(/^NVML unavailable \(.*libnvidia-ml\.so\.1 does not load.*\), and nvidia-smi -q -x exited with status 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver\./),
      });
      await expect(withSmi('not XML at all', 0)).rejects.toMatchObject({ kind: 'failed', message: expect.stringMatching(/nvidia-smi -q -x printed what cannot be read as its XML log/) });
    });

    it('reads the GPUs it still reports when it exits non-zero over one fallen off the bus', async () => {
      const xml = '<?xml version="1.0" ?><nvidia_smi_log><driver_version>570.133.20</driver_version><attached_gpus>1</attached_gpus></nvidia_smi_log>';
      const { snapshot } = await withSmi(xml, 15);
      expect(snapshot).toMatchObject({ source: 'nvidia-smi', driverVersion: '570.133.20', expectedGpus: 1, gpus: [] });
      expect(scan(snapshot, ALL_COMPONENTS).components.find((c) => c.name === 'gpu-count')?.results[0]).toMatchObject({ health: 'unhealthy' });
    });
  });

  it('fails with no-gpu, naming both readers, when neither NVML nor nvidia-smi is there', async () => {
    const attempt = collect({ stateDir: stateDir(), now, nvmlLibrary: join(tmpdir(), 'absent', 'libnvidia-ml.so.1'), sources: { nvidiaSmiXml: noSmi, kernelLog } });
    await expect(attempt).rejects.toThrow(CollectError);
    await expect(attempt).rejects.toMatchObject({ kind: 'no-gpu', message: expect.stringMatching(/^no NVIDIA driver found: .*libnvidia-ml\.so\.1 does not load .*, and nvidia-smi is not on PATH$/) });
  });
});

describe('collect from the simulator', () => {
  it('reads the cleared events once a pass, for the resets they stand for and for the events left out', async () => {
    const state = stateDir();
    saveSimulator(state, { ...loadSimulator(state, '8xH100').state, faults: [parseFault(['ecc=dbe', 'gpu=2'], 8, now) as Fault] });
    const first = await collect({ simulate: '8xH100', stateDir: state, now });
    expect(clearXids(state, first.snapshot.xids.filter((x) => x.xid === 48))).toBe(1);
    vi.mocked(readFileSync).mockClear();
    const after = await collect({ simulate: '8xH100', stateDir: state, now });
    expect(vi.mocked(readFileSync).mock.calls.filter(([path]) => String(path).endsWith('xids-cleared.json'))).toHaveLength(1);
    expect(after.snapshot.xids.map((x) => x.xid)).not.toContain(48);
    expect(after.snapshot.gpus[2]!.ecc.volatileUncorrected).toBe(0);
  });

  it('writes the simulated host once, when new, and reads it every pass (inject-fault writes it from another process)', async () => {
    const state = stateDir();
    const first = await collect({ simulate: '2xH100', stateDir: state, now });
    const file = join(state, 'simulator.json');
    const written = statSync(file);
    const later = await collect({ simulate: '2xH100', stateDir: state, now: new Date(now.getTime() + 10_000) });
    // A rewrite renames a new file into place: a new inode.
    expect(statSync(file).ino).toBe(written.ino);
    expect(later.snapshot.gpus.map((g) => g.identity.uuid)).toEqual(first.snapshot.gpus.map((g) => g.identity.uuid));
    saveSimulator(state, { ...loadSimulator(state, '2xH100').state, faults: [parseFault(['lost', 'gpu=1'], 2, now) as Fault] });
    expect((await collect({ simulate: '2xH100', stateDir: state, now })).snapshot.missingGpus).toHaveLength(1);
    const other = await collect({ simulate: '4xH100', stateDir: state, now });
    expect(other.notes).toContain('a previous simulation of another spec was replaced');
    expect(loadSimulator(state, '4xH100')).toMatchObject({ stored: true, state: { spec: '4xH100', faults: [] } });
  });
});

describe.skipIf(!dir)('NVSwitch errors (SXid) from a real kernel log', () => {
  it('raise one host finding from the fatal SXids, next to the Xid 79 of the GPU they served (xid79-…-sxid20034-nvswitch-excerpt.log)', async () => {
    const text = readFileSync(join(dir!, 'kmsg', 'xid79-fallen-off-bus-sxid20034-nvswitch-excerpt.log'), 'utf8');
    const { snapshot } = await collect({ stateDir: stateDir(), now, sources: { openNvml: fakeNvml(eightH100), nvidiaSmiXml: noSmi, kernelLog: () => Promise.resolve({ text }) } });
    expect(snapshot.sxids.filter((e) => e.fatal)).toHaveLength(4);
    const finding = scan(snapshot, ALL_COMPONENTS).components.find((c) => c.name === 'nvswitch')!;
    expect(finding.results).toEqual([
      {
        health: 'unhealthy',
        suggestedAction: 'reboot',
        reason:
          '4 fatal NVSwitch error(s), as the driver logged them: SXid 20034 on 0000:06:00.0 (Link 48 LTSSM Fault Up); SXid 20034 on 0000:05:00.0 (Link 63 LTSSM Fault Up); ' +
          "SXid 20034 on 0000:07:00.0 (Link 37 LTSSM Fault Up); SXid 20034 on 0000:05:00.0 (Link 62 LTSSM Fault Up) (Locus has no catalog of SXid numbers; NVIDIA's Fabric Manager user guide explains them). " +
          'The NVLink fabric is down until the GPUs and NVSwitches are reset',
      },
    ]);
    expect(finding.results[0]).not.toHaveProperty('gpu');
  });
});
