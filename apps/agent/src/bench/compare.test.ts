import { describe, expect, it } from 'vitest';
import { PROTOTYPES } from '../nvml/koffi.js';
import { PYNVML_SCRIPT } from './compare.js';

/** The NVML functions the binding calls about a GPU (those taking a device handle), without their _vN suffix, as pynvml names them. */
const perDevice = Object.values(PROTOTYPES)
  .filter((p) => p.includes('(LocusNvmlDevice device'))
  .map((p) => /\bnvml\w+(?=\()/.exec(p)![0].replace(/_v\d+$/, ''));

describe('the pynvml side of the NVML comparison', () => {
  it('knows the binding’s functions', () => {
    expect(perDevice).toContain('nvmlDeviceGetEncoderUtilization');
    expect(perDevice.length).toBeGreaterThan(30);
  });

  it.each(perDevice.map((name) => [name]))('calls %s, as the Locus NVML path does, so that the two do the same work', (name) => {
    expect(PYNVML_SCRIPT).toMatch(new RegExp(`"${name}"`));
  });
});
