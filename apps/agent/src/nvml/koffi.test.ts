import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nvmlSnapshotParts } from './map.js';
import { openKoffiNvml } from './koffi.js';
import { readNvmlHost } from './read.js';

/** Builds the stand-in libnvidia-ml from __fixtures__/nvml-stub.c; undefined without a C compiler. */
function buildStub(): string | undefined {
  const out = join(mkdtempSync(join(tmpdir(), 'locus-nvml-stub-')), 'libnvidia-ml.so.1');
  try {
    execFileSync('cc', ['-shared', '-fPIC', '-O1', '-Wall', '-Werror', '-o', out, fileURLToPath(new URL('./__fixtures__/nvml-stub.c', import.meta.url))], { stdio: 'pipe' });
    return out;
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    console.warn(`skipping the koffi binding test against the C stand-in: cc failed (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

describe('the koffi NVML binding', () => {
  it('fails cleanly, with the reason, when the library is not there', async () => {
    const open = await openKoffiNvml(join(tmpdir(), 'no-such-dir', 'libnvidia-ml.so.1'));
    expect(open).toEqual({ unavailable: expect.stringMatching(/^\/.*libnvidia-ml\.so\.1 does not load \(.+\)$/) });
  });

  it('fails cleanly when the file is not a shared library', async () => {
    const open = await openKoffiNvml(fileURLToPath(new URL('./__fixtures__/nvml-stub.c', import.meta.url)));
    expect(open).toEqual({ unavailable: expect.stringMatching(/does not load/) });
  });

  const stub = buildStub();
  it.skipIf(!stub)('reads every field through real C calls, with the C compiler’s struct layouts (stand-in library)', async () => {
    const open = await openKoffiNvml(stub);
    if (!('nvml' in open)) throw new Error(open.unavailable);
    const parts = nvmlSnapshotParts(readNvmlHost(open.nvml));
    open.nvml.close();
    expect(parts).toMatchObject({ driverVersion: '570.133.20', cudaVersion: '12.8', expectedGpus: 3, problems: [] });
    const [full, partial] = parts.gpus;
    expect(full).toEqual({
      identity: { index: 0, uuid: 'GPU-00000000-1111-2222-3333-444444444444', name: 'NVIDIA H100 80GB HBM3', serial: '1654923000123', boardPartNumber: '692-2G520-0200-000', boardId: '0x1800', pciBusId: '00000000:18:00.0', vbiosVersion: '96.00.99.00.01' },
      driverVersion: '570.133.20',
      cudaVersion: '12.8',
      persistenceMode: true,
      migEnabled: false,
      computeMode: 'Exclusive_Process',
      temperatureC: 61,
      memoryTemperatureC: 68,
      powerDrawW: 512.345,
      powerLimitW: 700,
      // Above 2^32: the 64-bit out-parameter is read whole.
      energyMj: 98_765_432_101,
      smClockMHz: 1755,
      memoryClockMHz: 2619,
      smClockMaxMHz: 1980,
      memoryClockMaxMHz: 2619,
      // Only the pre-535 name exists in the stand-in: the binding falls back to it.
      clockEventReasons: ['sw_power_cap', 'hw_thermal_slowdown'],
      gpuUtilizationPct: 87,
      memoryUtilizationPct: 41,
      // The first out-parameter, not the sampling period after it.
      encoderUtilizationPct: 3,
      decoderUtilizationPct: 27,
      framebufferTotalMiB: 81559,
      framebufferUsedMiB: 61559,
      framebufferFreeMiB: 20000,
      ecc: { enabled: true, volatileCorrected: 1, volatileUncorrected: 0, aggregateCorrected: 7, aggregateUncorrected: 3 },
      remappedRows: { correctable: 2, uncorrectable: 1, pending: true, failed: false },
      // nvmlDeviceGetRetiredPagesPendingStatus is missing from the stand-in: FUNCTION_NOT_FOUND.
      retiredPages: { singleBit: 0, doubleBit: 2, pending: null },
      pcie: { gen: 4, genMax: 5, width: 8, widthMax: 16, replayCounter: 5312 },
      nvlink: [
        { link: 0, active: true, replayErrors: 0, recoveryErrors: 0, crcErrors: 0 },
        { link: 1, active: false, replayErrors: 31, recoveryErrors: 4, crcErrors: 112 },
      ],
      processCount: 3,
      unsupported: ['retiredPages.pending'],
    });
    expect(partial).toMatchObject({ memoryTemperatureC: null, encoderUtilizationPct: null, decoderUtilizationPct: 0, remappedRows: null, nvlink: null, ecc: { enabled: null, volatileCorrected: null }, identity: { pciBusId: '00000000:2A:00.0' } });
    expect(partial!.unsupported).toEqual(['ecc.aggregateCorrected', 'ecc.aggregateUncorrected', 'ecc.enabled', 'ecc.volatileCorrected', 'ecc.volatileUncorrected', 'encoderUtilizationPct', 'memoryTemperatureC', 'nvlink', 'remappedRows', 'retiredPages.pending']);
    expect(parts.missingGpus).toEqual([{ index: 2, uuid: 'GPU-22222222-1111-2222-3333-444444444444', pciBusId: '00000000:3A:00.0' }]);
  });
});
