import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '@locus/protocol';
import { NVML_RETURN } from '../nvml/api.js';
import { FakeNvml, fakeH100 } from '../nvml/fake.js';
import { precheckExitCode, runPrecheck, type ExecResult, type PrecheckProbes, type PrecheckResult } from './checks.js';

const DRIVER_VERSION = 'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.133.20  Release Build  (dvs-builder@U16-I3-B03-4-3)  Fri Mar 14 2025\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n';
const missing: ExecResult = { ok: false, missing: true, error: 'ENOENT' };

/** A healthy H100 host with time sync, a reachable server and landmark; each test breaks one thing. */
function healthyHost(over: Partial<PrecheckProbes> = {}, exec: Record<string, ExecResult> = {}): PrecheckProbes {
  const commands: Record<string, ExecResult> = {
    'nvidia-smi': { ok: true, stdout: Array.from({ length: 8 }, (_, i) => `GPU ${i}: NVIDIA H100 80GB HBM3 (UUID: GPU-${i})`).join('\n') },
    dmesg: { ok: true, stdout: '' },
    journalctl: { ok: true, stdout: '' },
    timedatectl: { ok: true, stdout: 'yes\n' },
    chronyc: missing,
    ...exec,
  };
  return {
    readFile: (path) => (path === '/proc/driver/nvidia/version' ? DRIVER_VERSION : null),
    listDir: (path) => (path === '/dev' ? ['null', 'nvidia0', 'nvidia1', 'nvidiactl', 'nvidia-uvm', 'nvidia-caps'] : []),
    canOpen: () => true,
    modeOf: (path) => (path === '/var/lib/locus-agent' ? 0o40700 : 0o40755),
    exec: (command) => Promise.resolve(commands[command] ?? missing),
    openNvml: () => Promise.resolve({ nvml: new FakeNvml({ driverVersion: '570.133.20', gpus: [fakeH100(0), fakeH100(1)] }) }),
    httpGet: () => Promise.resolve({ ok: true, ms: 3.2, status: 200, body: '{"ok":true}' }),
    webSocket: () => Promise.resolve({ ok: true, ms: 1.4 }),
    ...over,
  };
}

const options = { stateDir: '/var/lib/locus-agent', server: 'https://locus.example', landmarks: ['ws://fra-1.example:7443/v1/timing'] };
const byCheck = (results: readonly PrecheckResult[]) => Object.fromEntries(results.map((r) => [r.check, r]));

describe('locus agent precheck', () => {
  it('passes every check on a host that has everything, in fixing order', async () => {
    const results = await runPrecheck(options, healthyHost());
    expect(results.map((r) => [r.check, r.status])).toEqual([
      ['driver', 'ok'],
      ['nvml', 'ok'],
      ['nvidia-smi', 'ok'],
      ['devices', 'ok'],
      ['kernel-log', 'ok'],
      ['state-dir', 'ok'],
      ['clock', 'ok'],
      ['server', 'ok'],
      ['landmark', 'ok'],
    ]);
    expect(results.filter((r) => r.fix)).toEqual([]);
    expect(byCheck(results).driver!.detail).toBe('NVIDIA kernel module 570.133.20 loaded');
    expect(byCheck(results).nvml!.detail).toBe('fake loaded: 2 GPUs, driver 570.133.20');
    expect(byCheck(results).devices!.detail).toBe('/dev/nvidia0, /dev/nvidia1, /dev/nvidiactl open read-write');
    expect(precheckExitCode(results)).toBe(0);
    // A server older than its /healthz's protocol versions says nothing of them: no more is said.
    expect(byCheck(results).server!.detail).toBe('https://locus.example/healthz answered in 3 ms');
    const current = await runPrecheck(options, healthyHost({ httpGet: () => Promise.resolve({ ok: true, ms: 3.2, status: 200, body: JSON.stringify({ ok: true, protocolVersions: [PROTOCOL_VERSION] }) }) }));
    expect(byCheck(current).server).toEqual({ check: 'server', status: 'ok', detail: `https://locus.example/healthz answered in 3 ms; it reads protocol version(s) ${PROTOCOL_VERSION}, this agent writes ${PROTOCOL_VERSION}` });
  });

  it.each<[string, PrecheckProbes, string, string, RegExp, RegExp]>([
    ['no driver', healthyHost({ readFile: () => null }), 'driver', 'fail', /no NVIDIA kernel driver loaded/, /Install the NVIDIA data-centre driver/],
    ['no NVML and no nvidia-smi', healthyHost({ openNvml: () => Promise.resolve({ unavailable: 'libnvidia-ml.so.1 does not load (cannot open shared object file)' }) }, { 'nvidia-smi': missing }), 'nvml', 'fail', /no nvidia-smi to fall back on/, /libnvidia-compute-NNN/],
    ['NVML that cannot count GPUs', healthyHost({ openNvml: () => Promise.resolve({ nvml: new FakeNvml({ codes: { deviceCount: NVML_RETURN.UNKNOWN }, gpus: [] }) }) }), 'nvml', 'fail', /nvmlDeviceGetCount failed \(code 999\)/, /same version/],
    ['no device files', healthyHost({ listDir: () => ['null'] }), 'devices', 'fail', /no \/dev\/nvidiactl/, /nvidia-modprobe/],
    ['device files this user cannot open', healthyHost({ canOpen: (path) => !path.startsWith('/dev/nvidia1') }), 'devices', 'fail', /cannot open \/dev\/nvidia1 read-write/, /group that owns \/dev\/nvidia\*/],
    ['a state dir it cannot write', healthyHost({ canOpen: (path) => path !== '/var/lib/locus-agent' }), 'state-dir', 'fail', /not writable/, /chown/],
    ['a state dir that is a file', healthyHost({ modeOf: (path) => (path === '/var/lib/locus-agent' ? 0o100600 : 0o40755) }), 'state-dir', 'fail', /^\/var\/lib\/locus-agent is not a directory$/, /--state-dir/],
    ['a state dir to be made under a file', healthyHost({ modeOf: (path) => (path === '/var/lib' ? 0o100644 : path.startsWith('/var/lib/') ? null : 0o40755) }), 'state-dir', 'fail', /cannot be made: \/var\/lib is not a directory/, /--state-dir/],
    ['a state dir to be made under a folder it cannot write', healthyHost({ modeOf: (path) => (path.startsWith('/var/lib/') ? null : 0o40755), canOpen: (path) => path !== '/var/lib' }), 'state-dir', 'fail', /does not exist and \/var\/lib is not writable/, /install -d -m 700/],
    ['a queue another user owns', healthyHost({ canOpen: (path) => !path.endsWith('/outbox.db') && !path.endsWith('/agent.key') }), 'state-dir', 'fail', /^\/var\/lib\/locus-agent\/agent\.key, \/var\/lib\/locus-agent\/outbox\.db cannot be read and written by this user$/, /chown -R/],
    ['a server that does not answer', healthyHost({ httpGet: () => Promise.resolve({ ok: false, error: 'ECONNREFUSED' }) }), 'server', 'fail', /^https:\/\/locus\.example\/healthz: ECONNREFUSED$/, /outbound HTTP\(S\)/],
    ['a server that answers 503', healthyHost({ httpGet: () => Promise.resolve({ ok: true, ms: 2, status: 503 }) }), 'server', 'fail', /answered HTTP 503/, /outbound/],
    ['a server that does not read its protocol version', healthyHost({ httpGet: () => Promise.resolve({ ok: true, ms: 2, status: 200, body: JSON.stringify({ ok: true, protocolVersions: [PROTOCOL_VERSION + 1] }) }) }), 'server', 'fail', new RegExp(`reads protocol version\\(s\\) ${PROTOCOL_VERSION + 1} and this agent writes ${PROTOCOL_VERSION}: it would refuse every batch`), /Upgrade the server first/],
    ['an unreachable landmark', healthyHost({ webSocket: () => Promise.resolve({ ok: false, error: 'no answer within 5000 ms' }) }), 'landmark', 'fail', /fra-1.*no answer within 5000 ms/, /outbound TCP/],
  ])('fails on %s, with the fix', async (_what, probes, check, status, detail, fix) => {
    const results = await runPrecheck(options, probes);
    expect(byCheck(results)[check]).toMatchObject({ status, detail: expect.stringMatching(detail), fix: expect.stringMatching(fix) });
    expect(results.filter((r) => r.status === 'fail').map((r) => r.check)).toEqual([check]);
    expect(precheckExitCode(results)).toBe(1);
  });

  it.each<[string, PrecheckProbes, string, string, RegExp]>([
    ['NVML missing while nvidia-smi works', healthyHost({ openNvml: () => Promise.resolve({ unavailable: 'libnvidia-ml.so.1 does not load' }) }), 'nvml', 'warn', /falls back to nvidia-smi/],
    ['nvidia-smi missing while NVML works', healthyHost({}, { 'nvidia-smi': missing }), 'nvidia-smi', 'warn', /not on PATH/],
    ['an unreadable kernel log', healthyHost({}, { dmesg: { ok: false, missing: false, error: 'dmesg: read kernel buffer failed: Operation not permitted' }, journalctl: { ok: false, missing: false, error: 'No journal files were found.' } }), 'kernel-log', 'warn', /Operation not permitted.*Xid events will not be checked/],
    ['an unsynchronised clock (timedatectl)', healthyHost({}, { timedatectl: { ok: true, stdout: 'no\n' } }), 'clock', 'warn', /NTPSynchronized=no/],
    ['an unsynchronised clock (chrony)', healthyHost({}, { timedatectl: missing, chronyc: { ok: true, stdout: 'Reference ID    : 00000000 ()\nLeap status     : Not synchronised\n' } }), 'clock', 'warn', /Leap status Not synchronised/],
    ['a clock nothing can vouch for', healthyHost({}, { timedatectl: { ok: false, missing: false, error: 'System has not been booted with systemd' }, chronyc: missing }), 'clock', 'unknown', /cannot tell/],
    ['a state dir others can read', healthyHost({ modeOf: () => 0o40755 }), 'state-dir', 'warn', /readable by other users \(mode 755\)/],
  ])('warns, without failing, on %s', async (_what, probes, check, status, detail) => {
    const results = await runPrecheck(options, probes);
    expect(byCheck(results)[check]).toMatchObject({ status, detail: expect.stringMatching(detail), fix: expect.any(String) });
    expect(precheckExitCode(results)).toBe(0);
  });

  it('takes chrony’s word when timedatectl is absent', async () => {
    const results = await runPrecheck(options, healthyHost({}, { timedatectl: missing, chronyc: { ok: true, stdout: 'Leap status     : Normal\n' } }));
    expect(byCheck(results).clock).toMatchObject({ status: 'ok', detail: expect.stringMatching(/chronyc/) });
  });

  it('skips the server without one, checks each landmark, and takes a missing state dir as one to create', async () => {
    const results = await runPrecheck({ stateDir: '/var/lib/new/locus', landmarks: ['ws://a:7443/v1/timing', 'ws://b:7443/v1/timing'] }, healthyHost({ modeOf: (p) => (p === '/var/lib/new/locus' ? null : 0o40755) }));
    expect(byCheck(results).server).toEqual({ check: 'server', status: 'skip', detail: 'not enrolled and no --server given' });
    expect(results.filter((r) => r.check === 'landmark').map((r) => r.detail)).toEqual([expect.stringMatching(/^ws:\/\/a:7443/), expect.stringMatching(/^ws:\/\/b:7443/)]);
    expect(byCheck(results)['state-dir']!.detail).toMatch(/does not exist yet/);
  });
});
