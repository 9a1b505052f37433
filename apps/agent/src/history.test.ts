import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/support/shared-data.js';
import { createQueuer } from './daemon.js';
import { PassHistory } from './history.js';
import { Outbox } from './outbox.js';
import type { HostSnapshot } from './snapshot.js';

const t0 = Date.parse('2026-11-29T12:00:00.000Z');
const pass = (seconds: number): HostSnapshot => ({ collectedAt: new Date(t0 + seconds * 1000).toISOString(), source: 'simulator', driverVersion: null, cudaVersion: null, gpus: [], xids: [], sxids: [], expectedGpus: 0, missingGpus: [] });

describe('PassHistory', () => {
  it('has no baseline before a pass is remembered', () => {
    expect(new PassHistory(300).baseline(new Date(t0))).toBeNull();
  });

  it('gives the oldest pass within the window, forgetting older ones', () => {
    const h = new PassHistory(300);
    for (const s of [0, 10, 200]) h.remember(pass(s));
    expect(h.baseline(new Date(t0 + 250_000))!.collectedAt).toBe(pass(0).collectedAt);
    expect(h.baseline(new Date(t0 + 305_000))!.collectedAt).toBe(pass(10).collectedAt);
    expect(h.baseline(new Date(t0 + 600_000))).toBeNull();
  });

  it('keeps GPU samples but not the kernel log events', () => {
    const h = new PassHistory(300);
    h.remember({ ...pass(0), xids: [{ xid: 79, pciBusId: '0000:18:00', time: null, message: '', raw: '' }] });
    expect(h.baseline(new Date(t0 + 10_000))!.xids).toEqual([]);
  });
});

const dir = sharedData('nvidia');

describe.skipIf(!dir)('the daemon judges PCIe replays by their rate over its recent passes', () => {
  it('degrades a GPU whose replays climb fast, and not once they stop, on a real capture', async () => {
    const xml = readFileSync(join(dir!, 'nvidia-smi-xml', 'tesla-p100-pcie-16gb-sbe-510.47.03.xml'), 'utf8');
    const stateDir = mkdtempSync(join(tmpdir(), 'locus-history-'));
    const outbox = await Outbox.open(join(stateDir, 'outbox.db'));
    let replays = 0;
    try {
      const queuer = createQueuer({
        outbox,
        stateDir,
        sources: {
          openNvml: async () => ({ unavailable: 'not in this test' }),
          nvidiaSmiXml: async () => xml.replace('<replay_counter>0</replay_counter>', `<replay_counter>${replays}</replay_counter>`),
          kernelLog: async () => ({ text: '' }),
        },
      });
      const pcieAt = async (seconds: number) => (await queuer.tick(new Date(t0 + seconds * 1000))).report.gpus[0]!.checks.pcie!;
      expect(await pcieAt(0)).toMatchObject({ health: 'healthy', reason: expect.stringContaining('no earlier pass') });
      replays = 100;
      expect(await pcieAt(60)).toMatchObject({ health: 'degraded', reason: expect.stringContaining('PCIe replays 100 in 60 s (100.0/min), above 8/min') });
      // Within the window the burst still counts; past it, with no new replays, the link is fine.
      expect(await pcieAt(200)).toMatchObject({ health: 'degraded', reason: expect.stringContaining('100 in 200 s (30.0/min)') });
      expect(await pcieAt(400)).toMatchObject({ health: 'healthy', reason: expect.stringContaining('replays 0 in 200 s (0.0/min); 100 replay(s) since the driver loaded') });
    } finally {
      await outbox.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
