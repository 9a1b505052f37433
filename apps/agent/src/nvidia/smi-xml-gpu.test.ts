import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../../test/support/shared-data.js';
import type { GpuSample } from '../model.js';
import { parseNvidiaSmiXml } from './smi-xml.js';

const dir = sharedData('nvidia');

/**
 * The first GPU of a real capture after `edits`, each replacing the first match. An edit that
 * matches nothing fails the test, so a case cannot silently test the unedited file.
 */
function edited(file: string, ...edits: readonly (readonly [string | RegExp, string])[]): GpuSample {
  let text = readFileSync(join(dir!, 'nvidia-smi-xml', file), 'utf8');
  for (const [from, to] of edits) {
    expect(text).toMatch(from);
    text = text.replace(from, to);
  }
  const gpu = parseNvidiaSmiXml(text).gpus[0];
  expect(gpu).toBeDefined();
  return gpu!;
}

// README `nvidia-smi-xml/` table, row tesla-v100-sxm3-32gb-dbe-retired-pages-410.104: values
// "33 C", "50.60 W"; README "Things a parser must survive": units inside values, N/A variants.
const V100 = 'tesla-v100-sxm3-32gb-dbe-retired-pages-410.104.xml';

describe.skipIf(!dir)('readGpu on real captures with one value changed', () => {
  it.each([
    { value: 'Not Supported', unsupported: true },
    { value: '[N/A]', unsupported: true },
    { value: 'Requested functionality has been deprecated', unsupported: true },
    { value: 'Unknown Error', unsupported: false },
    { value: '', unsupported: false },
    // A unit other than the field's (W) is not a power reading.
    { value: '50.60 mW', unsupported: false },
  ])('reads a power draw of "$value" as null, unsupported: $unsupported', ({ value, unsupported }) => {
    const gpu = edited(V100, ['<power_draw>50.60 W</power_draw>', `<power_draw>${value}</power_draw>`]);
    expect(gpu.powerDrawW).toBeNull();
    expect(gpu.unsupported.includes('powerDrawW')).toBe(unsupported);
  });

  it('refuses a temperature in another unit than C', () => {
    expect(edited(V100, ['<gpu_temp>33 C</gpu_temp>', '<gpu_temp>91 F</gpu_temp>']).temperatureC).toBeNull();
  });

  it('lists every Active clock event reason, in the model order', () => {
    const gpu = edited(
      V100,
      ['<clocks_throttle_reason_sw_thermal_slowdown>Not Active', '<clocks_throttle_reason_sw_thermal_slowdown>Active'],
      ['<clocks_throttle_reason_hw_slowdown>Not Active', '<clocks_throttle_reason_hw_slowdown>Active'],
    );
    expect(gpu.clockEventReasons).toEqual(['gpu_idle', 'hw_slowdown', 'sw_thermal_slowdown']);
  });

  it('reads clock event reasons given as N/A as null and unsupported', () => {
    const gpu = edited(V100, [/<clocks_throttle_reasons>[\s\S]*?<\/clocks_throttle_reasons>/, '<clocks_throttle_reasons>N/A</clocks_throttle_reasons>']);
    expect(gpu.clockEventReasons).toBeNull();
    expect(gpu.unsupported).toContain('clockEventReasons');
  });

  it('marks all four ECC counters unsupported when <ecc_errors> itself says N/A', () => {
    const gpu = edited(V100, [/<ecc_errors>[\s\S]*?<\/ecc_errors>/, '<ecc_errors>N/A</ecc_errors>']);
    expect(gpu.ecc).toEqual({ enabled: true, volatileCorrected: null, volatileUncorrected: null, aggregateCorrected: null, aggregateUncorrected: null });
    expect(gpu.unsupported).toEqual(['ecc.aggregateCorrected', 'ecc.aggregateUncorrected', 'ecc.volatileCorrected', 'ecc.volatileUncorrected']);
  });

  // README row tesla-t4-passthrough: Turing counters sram_/dram_correctable, all zero in the file.
  it('adds the SRAM and DRAM counters of Turing and later', () => {
    const gpu = edited(
      'tesla-t4-passthrough-515.105.01.xml',
      ['<sram_correctable>0</sram_correctable>', '<sram_correctable>1</sram_correctable>'],
      ['<dram_correctable>0</dram_correctable>', '<dram_correctable>2</dram_correctable>'],
    );
    expect(gpu.ecc).toEqual({ enabled: true, volatileCorrected: 3, volatileUncorrected: 0, aggregateCorrected: 0, aggregateUncorrected: 0 });
  });

  // README row rtx-pro-6000-blackwell-maxq-v13: "SRAM parity/SEC-DED", all N/A in the file.
  it('adds the v13 SRAM parity and SEC-DED counters, skipping a counter left N/A', () => {
    const gpu = edited(
      'rtx-pro-6000-blackwell-maxq-v13-590.44.01.xml',
      ['<sram_uncorrectable_parity>N/A', '<sram_uncorrectable_parity>2'],
      ['<sram_uncorrectable_secded>N/A', '<sram_uncorrectable_secded>3'],
    );
    expect(gpu.ecc.volatileUncorrected).toBe(5);
    expect(gpu.ecc.aggregateUncorrected).toBeNull();
    expect(gpu.unsupported).not.toContain('ecc.volatileUncorrected');
    expect(gpu.unsupported).toContain('ecc.aggregateUncorrected');
  });

  // README row geforce-rtx-4090-v12: "remapped rows 0".
  it('reads a pending and a failed row remap', () => {
    const gpu = edited(
      'geforce-rtx-4090-v12-535.86.05.xml',
      ['<remapped_row_unc>0', '<remapped_row_unc>3'],
      ['<remapped_row_pending>No', '<remapped_row_pending>Yes'],
      ['<remapped_row_failure>No', '<remapped_row_failure>Yes'],
    );
    expect(gpu.remappedRows).toEqual({ correctable: 0, uncorrectable: 3, pending: true, failed: true });
  });

  // README row tesla-p100-pcie-16gb-sbe: "pending_blacklist element" beside pending_retirement.
  it('takes the retirement pending flag from pending_blacklist when pending_retirement is N/A', () => {
    const gpu = edited('tesla-p100-pcie-16gb-sbe-510.47.03.xml', ['<pending_retirement>No', '<pending_retirement>N/A']);
    expect(gpu.retiredPages).toEqual({ singleBit: 0, doubleBit: 0, pending: false });
    expect(gpu.unsupported).not.toContain('retiredPages.pending');
  });

  // No capture carries total_energy_consumption; the element is inserted where the power
  // readings are, with the unit (J) the brief for this parser gives.
  it.each([
    { value: '4512.345 J', energyMj: 4512345, unsupported: false },
    { value: 'N/A', energyMj: null, unsupported: true },
    { value: '4512345 mJ', energyMj: null, unsupported: false },
  ])('reads a total energy of "$value" as $energyMj mJ', ({ value, energyMj, unsupported }) => {
    const gpu = edited(V100, ['<power_draw>', `<total_energy_consumption>${value}</total_energy_consumption><power_draw>`]);
    expect(gpu.energyMj).toBe(energyMj);
    expect(gpu.unsupported.includes('energyMj')).toBe(unsupported);
  });

  // Every capture idles its video engines at "0 %" (the A100 under MIG says N/A): busy values are edited in.
  it('reads the video encoder and decoder utilisation, each from its own element', () => {
    const gpu = edited('a10g-aws-passthrough-515.105.01.xml', ['<encoder_util>0 %</encoder_util>', '<encoder_util>14 %</encoder_util>'], ['<decoder_util>0 %</decoder_util>', '<decoder_util>63 %</decoder_util>']);
    expect(gpu).toMatchObject({ encoderUtilizationPct: 14, decoderUtilizationPct: 63 });
    expect(gpu.unsupported).not.toContain('encoderUtilizationPct');
  });

  it('reads video engine utilisation missing from the XML as null, without calling it unsupported', () => {
    const gpu = edited('a10g-aws-passthrough-515.105.01.xml', ['<encoder_util>0 %</encoder_util>', ''], ['<decoder_util>0 %</decoder_util>', '']);
    expect(gpu).toMatchObject({ encoderUtilizationPct: null, decoderUtilizationPct: null, gpuUtilizationPct: 0 });
    expect(gpu.unsupported.filter((f) => f.endsWith('UtilizationPct'))).toEqual([]);
  });

  // README row a10g-aws-passthrough: "PCI 00:1E.0".
  it('upper-cases the PCI bus id and keeps its domain', () => {
    const gpu = edited('a10g-aws-passthrough-515.105.01.xml', ['<pci_bus_id>00000000:00:1E.0', '<pci_bus_id>00000000:00:1e.0']);
    expect(gpu.identity.pciBusId).toBe('00000000:00:1E.0');
  });

  it('falls back to the <gpu id> attribute when <pci> has no bus id', () => {
    const gpu = edited('a10g-aws-passthrough-515.105.01.xml', ['<pci_bus_id>00000000:00:1E.0</pci_bus_id>', ''], ['<gpu id="00000000:00:1E.0">', '<gpu id="00000000:00:1e.0">']);
    expect(gpu.identity.pciBusId).toBe('00000000:00:1E.0');
  });

  // README row a100-sxm4-80gb-mig: `<processes />` (empty) in the file.
  it('reads processes given as N/A as an unsupported null count', () => {
    const gpu = edited('a100-sxm4-80gb-mig-4x1g.20gb-first-of-4-gpus-535.54.03.xml', ['<processes />', '<processes>N/A</processes>']);
    expect(gpu.processCount).toBeNull();
    expect(gpu.unsupported).toContain('processCount');
  });
});
