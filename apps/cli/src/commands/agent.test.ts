import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLocus, tempFiles } from '../test-support.js';

interface ScanDoc {
  host: { hostname: string };
  health: string;
  gpus: { index: number; uuid: string; name: string | null; serial: string | null; present: boolean; health: string; suggestedAction: string | null; metrics: Record<string, unknown> | null; checks: Record<string, { health: string }> }[];
}

describe('locus agent scan --simulate', () => {
  it('names the host LOCUS_AGENT_HOSTNAME when it is set (a pod names the node), else by the OS', async () => {
    const state = tempFiles({});
    const named = await runLocus(['agent', 'scan', '--simulate', '1xH100', '--json', '--state-dir', state], process.cwd(), { LOCUS_AGENT_HOSTNAME: 'gpu-node-7' });
    expect((JSON.parse(named.stdout) as ScanDoc).host.hostname).toBe('gpu-node-7');
    const plain = await runLocus(['agent', 'scan', '--simulate', '1xH100', '--json', '--state-dir', state], process.cwd(), { LOCUS_AGENT_HOSTNAME: ' ' });
    expect((JSON.parse(plain.stdout) as ScanDoc).host.hostname).toBe(hostname());
  });

  it('prints one JSON document with 8 GPUs, their metrics and per-check health; after xid=79 on GPU 3, GPU 3 is unhealthy with an action', async () => {
    const state = tempFiles({});
    const first = await runLocus(['agent', 'scan', '--simulate', '8xH100', '--json', '--state-dir', state]);
    expect(first.code).toBe(0);
    const doc = JSON.parse(first.stdout) as ScanDoc;
    expect(doc.health).toBe('healthy');
    expect(doc.gpus).toHaveLength(8);
    for (const g of doc.gpus) {
      expect(g).toMatchObject({ present: true, name: 'NVIDIA H100 80GB HBM3', health: 'healthy', suggestedAction: null });
      expect(g.uuid).toMatch(/^GPU-/);
      expect(g.serial).toMatch(/^\d{13}$/);
      expect(g.metrics).toMatchObject({ temperatureC: expect.any(Number), powerDrawW: expect.any(Number), framebufferTotalMiB: 81559 });
      expect(Object.keys(g.checks)).toContain('ecc');
    }

    const inject = await runLocus(['agent', 'inject-fault', 'xid=79', 'gpu=3', '--simulate', '8xH100', '--state-dir', state]);
    expect(inject.code).toBe(0);
    const after = JSON.parse((await runLocus(['agent', 'scan', '--simulate', '8xH100', '--json', '--state-dir', state])).stdout) as ScanDoc;
    expect(after.gpus[3]).toMatchObject({ index: 3, uuid: doc.gpus[3]!.uuid, present: false, health: 'unhealthy', suggestedAction: 'reboot' });
    expect(after.gpus.filter((g) => g.health !== 'healthy').map((g) => g.index)).toEqual([3]);
    expect(after.health).toBe('unhealthy');

    expect((await runLocus(['agent', 'inject-fault', 'clear', '--simulate', '8xH100', '--state-dir', state])).stdout).toMatch(/cleared 1 fault/);
    expect((JSON.parse((await runLocus(['agent', 'scan', '--simulate', '8xH100', '--json', '--state-dir', state])).stdout) as ScanDoc).health).toBe('healthy');
  });

  it('stops counting Xids an operator cleared (after the GPU reset they asked for), and counts a later one again', async () => {
    const state = tempFiles({});
    const sim = ['--simulate', '8xH100', '--state-dir', state];
    const scanNow = async () => JSON.parse((await runLocus(['agent', 'scan', '--json', ...sim])).stdout) as ScanDoc;
    expect((await runLocus(['agent', 'clear-xids', ...sim])).stdout).toBe('no Xid or SXid events in the kernel log: nothing to clear\n');
    await runLocus(['agent', 'inject-fault', 'xid=48', 'gpu=2', ...sim]);
    await runLocus(['agent', 'inject-fault', 'xid=94', 'gpu=5', ...sim]);
    const faulty = await scanNow();
    expect(faulty.gpus.filter((g) => g.health !== 'healthy').map((g) => [g.index, g.checks.xid!.health])).toEqual([[2, 'unhealthy'], [5, 'degraded']]);
    // Xid 48 is a double-bit ECC error: the simulated GPU counts it and leaves a row remap pending until its reset.
    expect(faulty.gpus[2]!.checks.ecc).toMatchObject({ health: 'unhealthy', suggestedAction: 'reset_gpu' });
    expect(faulty.gpus[2]!.metrics).toMatchObject({ ecc: { volatileUncorrected: 1, aggregateUncorrected: 1 }, remappedRows: { uncorrectable: 1, pending: true } });
    // One GPU's alone; then the rest.
    const two = await runLocus(['agent', 'clear-xids', '--gpu', '2', ...sim]);
    expect(two.stdout).toMatch(/^cleared 2 Xid event\(s\) of GPU 2 \(Xid 48, Xid 63; 0 of them already cleared\)/);
    const reset = await scanNow();
    expect(reset.gpus.filter((g) => g.health !== 'healthy').map((g) => g.index)).toEqual([5]);
    // In the simulator, clearing the Xid stands for the reset it asked for: the volatile count is gone, the lifetime one stays.
    expect(reset.gpus[2]!.metrics).toMatchObject({ ecc: { volatileUncorrected: 0, aggregateUncorrected: 1 }, remappedRows: { uncorrectable: 1, pending: false } });
    expect((await runLocus(['agent', 'clear-xids', ...sim])).stdout).toMatch(/^cleared 3 Xid event\(s\) \(Xid 48, Xid 63, Xid 94; 2 of them already cleared\)/);
    const cleared = await scanNow();
    expect(cleared.health).toBe('healthy');
    // A new Xid 48 on the same GPU counts.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await runLocus(['agent', 'inject-fault', 'xid=48', 'gpu=2', ...sim]);
    expect((await scanNow()).gpus.filter((g) => g.health !== 'healthy').map((g) => g.index)).toEqual([2]);
    for (const bad of [['--gpu', '8'], ['--gpu', 'two']]) {
      const r = await runLocus(['agent', 'clear-xids', ...bad, ...sim]);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^locus: error LOCUS_ERR_CLI_USAGE: locus agent clear-xids: (no GPU 8 on this host|--gpu must be)/);
    }
  });

  it('takes an NVSwitch error (SXid), fatal or not as the driver marks it, until clear-xids stands for the fabric reset', async () => {
    const state = tempFiles({});
    const sim = ['--simulate', '8xH100', '--state-dir', state];
    const scanNow = async () => JSON.parse((await runLocus(['agent', 'scan', '--json', ...sim])).stdout) as ScanDoc & { components: { name: string; results: { health: string; suggestedAction?: string; reason: string }[] }[] };
    const nvswitch = (doc: Awaited<ReturnType<typeof scanNow>>) => doc.components.find((c) => c.name === 'nvswitch')!.results[0]!;
    const corrected = await runLocus(['agent', 'inject-fault', 'sxid=12028', 'non-fatal', 'switch=2', ...sim]);
    expect(corrected.stdout).toMatch(/^injected sxid=12028 non-fatal switch=2 on the simulated 8xH100/);
    expect(nvswitch(await scanNow())).toMatchObject({ health: 'healthy', reason: expect.stringMatching(/^1 non-fatal NVSwitch error\(s\), corrected by the switch: SXid 12028 on 0000:07:00\.0/) });
    await runLocus(['agent', 'inject-fault', 'sxid=20034', 'fatal', ...sim]);
    const fatal = await scanNow();
    expect(fatal.health).toBe('unhealthy');
    expect(nvswitch(fatal)).toMatchObject({ health: 'unhealthy', suggestedAction: 'reboot', reason: expect.stringMatching(/^1 fatal NVSwitch error\(s\), .*SXid 20034 on 0000:05:00\.0 .*; also 1 non-fatal/) });
    expect(fatal.gpus.every((g) => g.health === 'healthy')).toBe(true);
    expect((await runLocus(['agent', 'scan', ...sim])).stdout).toMatch(/^ {2}host {3}nvswitch: 1 fatal NVSwitch error\(s\).* → reboot \(unhealthy\)$/m);
    expect((await runLocus(['agent', 'clear-xids', ...sim])).stdout).toMatch(/^cleared 2 Xid\/SXid event\(s\) \(SXid 12028, SXid 20034; 0 of them already cleared\)/);
    expect((await scanNow()).health).toBe('healthy');
  });

  it('prints a table with the findings and what to do', async () => {
    const state = tempFiles({});
    await runLocus(['agent', 'inject-fault', 'thermal', 'gpu=2', '--simulate', '4xH200', '--state-dir', state]);
    const r = await runLocus(['agent', 'scan', '--simulate', '4xH200', '--state-dir', state]);
    expect(r.stdout).toMatch(/^GPU +NAME +UUID +TEMP +POWER +UTIL +HEALTH +ACTION\n0 +NVIDIA H200/);
    expect(r.stdout).toMatch(/GPU 2 {2}thermal: thermal slowdown active .* → inspect hardware \(degraded\)/);
  });

  it.each([
    [['agent', 'scan', '--simulate', '8xA100'], 2, /LOCUS_ERR_CLI_USAGE: .*unknown GPU model "A100"/],
    [['agent', 'inject-fault', 'xid=79'], 2, /gpu=N is required/],
    [['agent', 'inject-fault', 'melt', 'gpu=1'], 2, /unknown fault "melt"/],
    [['agent', 'inject-fault'], 2, /name a fault, e\.g\. xid=79 gpu=3/],
    [['agent', 'inject-fault', 'sxid=20034'], 2, /say whether the SXid is fatal, as the driver marks it/],
    [['agent', 'inject-fault', 'sxid=20034', 'fatal', 'gpu=1'], 2, /an SXid is an NVSwitch's, which serves every GPU/],
  ])('refuses %j', async (args, code, message) => {
    const r = await runLocus([...args, '--state-dir', tempFiles({})]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
  });

  it.skipIf(spawnSync('sh', ['-c', 'command -v nvidia-smi']).status === 0)('says how to try Locus when the host has no NVIDIA driver', async () => {
    const r = await runLocus(['agent', 'scan', '--state-dir', tempFiles({})]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/LOCUS_ERR_NO_GPU: .*no NVIDIA driver found[\s\S]*--simulate 8xH100/);
  });

  it.skipIf(spawnSync('sh', ['-c', 'command -v nvidia-smi']).status === 0)('says what a failing nvidia-smi said, exit 1, not a bug', async () => {
    const bin = tempFiles({ 'nvidia-smi': "#!/bin/sh\necho \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\"\nexit 9\n" });
    chmodSync(join(bin, 'nvidia-smi'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path ?? ''}`;
    try {
      const r = await runLocus(['agent', 'scan', '--state-dir', tempFiles({})]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^locus: error LOCUS_ERR_GPU_READ: locus agent scan: NVML unavailable \(.*\), and nvidia-smi -q -x exited with status 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver\.\n/);
    } finally {
      process.env.PATH = path;
    }
  });
});
