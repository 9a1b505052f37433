import { describe, expect, it } from 'vitest';
import { parseKernelLog } from '../nvidia/kmsg.js';
import { scan } from '../report.js';
import { parseFleetSpec, type FleetSpec } from '../simulator/models.js';
import { simulateHost } from '../simulator/simulate.js';
import { ALL_COMPONENTS } from './all.js';
import { nvswitch } from './nvswitch.js';

const host = (log: string) => ({ ...simulateHost(parseFleetSpec('8xH100') as FleetSpec, 'seed', new Date('2026-11-29T12:00:00Z'), []), sxids: parseKernelLog(log).sxids });
const FATAL = '[100.5] nvidia-nvswitch1: SXid (PCI:0000:06:00.0): 20034, Fatal, Link 48 LTSSM Fault Up';
// The form the driver prints for a corrected error (as in kmsg-message.test.ts).
const NON_FATAL = '[100.6] nvidia-nvswitch2: SXid (PCI:0000:85:00.0): 12028, Non-fatal, Link 61 egress non-posted PRIV error (First)';

describe('nvswitch', () => {
  it('is healthy with no SXid in the kernel log', () => {
    expect(nvswitch.check(host(''), null)).toEqual([{ health: 'healthy', reason: 'no NVSwitch errors (SXid) in the kernel log' }]);
  });

  it('notes non-fatal SXids without degrading the host, and says their numbers are not judged', () => {
    const [result] = nvswitch.check(host(`${NON_FATAL}\n${NON_FATAL}`), null);
    expect(result).toEqual({ health: 'healthy', reason: expect.stringMatching(/^2 non-fatal NVSwitch error\(s\), corrected by the switch: SXid 12028 on 0000:85:00\.0 \(Link 61 egress non-posted PRIV error \(First\)\) \(Locus has no catalog of SXid numbers/) });
  });

  it('makes a fatal SXid one unhealthy host finding that suggests a reboot, counting the non-fatal ones beside it', () => {
    const results = nvswitch.check(host(`${NON_FATAL}\n${FATAL}`), null);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ health: 'unhealthy', suggestedAction: 'reboot', reason: expect.stringMatching(/^1 fatal NVSwitch error\(s\), as the driver logged them: SXid 20034 on 0000:06:00\.0 \(Link 48 LTSSM Fault Up\); also 1 non-fatal/) });
  });

  it('marks the host unhealthy but no GPU, since the switch serves them all', () => {
    const report = scan(host(FATAL), ALL_COMPONENTS);
    expect(report.health).toBe('unhealthy');
    expect(report.gpus.every((g) => g.health === 'healthy')).toBe(true);
  });

  it('counts rather than lists a storm of distinct SXids, so the reason stays short', () => {
    const storm = Array.from({ length: 10 }, (_, i) => `[1.${i}] nvidia-nvswitch0: SXid (PCI:0000:05:00.0): 20034, Fatal, Link ${i} LTSSM Fault Up`).join('\n');
    const [result] = nvswitch.check(host(storm), null);
    expect(result!.reason).toMatch(/Link 5 LTSSM Fault Up\); and 4 more \(/);
  });
});
