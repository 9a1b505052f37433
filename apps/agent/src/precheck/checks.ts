/**
 * `locus agent precheck`: what this host lacks for the agent to run, each with the fix. Every
 * check reads through injected probes, so that tests run them against fakes and real servers.
 */
import { dirname } from 'node:path';
import { PROTOCOL_VERSION } from '@locus/protocol';
import { agentFiles, queueFiles } from '../identity.js';
import type { NvmlOpen } from '../nvml/api.js';

export const PRECHECK_STATUSES = ['ok', 'warn', 'fail', 'unknown', 'skip'] as const;
export type PrecheckStatus = (typeof PRECHECK_STATUSES)[number];

export interface PrecheckResult {
  /** driver, nvml, nvidia-smi, devices, kernel-log, state-dir, clock, server, landmark */
  readonly check: string;
  readonly status: PrecheckStatus;
  readonly detail: string;
  /** What to do about it; absent when nothing needs doing. */
  readonly fix?: string;
}

export type ExecResult = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly missing: boolean; readonly error: string };
export type ProbeResult = { readonly ok: true; readonly ms: number; readonly status?: number; readonly body?: string } | { readonly ok: false; readonly error: string };

/** How the checks see the host. */
export interface PrecheckProbes {
  /** A file's text, or null when it cannot be read. */
  readonly readFile: (path: string) => string | null;
  /** Names in a directory; empty when it cannot be listed. */
  readonly listDir: (path: string) => readonly string[];
  /** Whether this process may open `path` for reading (and writing, with 'rw'). */
  readonly canOpen: (path: string, mode: 'r' | 'rw') => boolean;
  /** The mode bits of a path, or null when it does not exist. */
  readonly modeOf: (path: string) => number | null;
  readonly exec: (command: string, args: readonly string[]) => Promise<ExecResult>;
  readonly openNvml: () => Promise<NvmlOpen>;
  /** HTTP GET with a bounded wait. */
  readonly httpGet: (url: string) => Promise<ProbeResult>;
  /** A WebSocket upgrade (the landmark's timing endpoint) with a bounded wait. */
  readonly webSocket: (url: string) => Promise<ProbeResult>;
}

export interface PrecheckOptions {
  readonly stateDir: string;
  /** The server to reach: --server, else the enrollment's; absent when neither. */
  readonly server?: string | undefined;
  readonly landmarks: readonly string[];
}

const DRIVER_FIX = 'Install the NVIDIA data-centre driver (e.g. `apt install nvidia-driver-570-server` or NVIDIA\'s .run installer), reboot, then check `cat /proc/driver/nvidia/version`.';

async function driver(p: PrecheckProbes): Promise<PrecheckResult> {
  const version = p.readFile('/proc/driver/nvidia/version');
  const release = version === null ? null : (/Kernel Module\s+(?:for \S+\s+)?([\d.]+)/.exec(version)?.[1] ?? null);
  if (version === null) return { check: 'driver', status: 'fail', detail: 'no NVIDIA kernel driver loaded (/proc/driver/nvidia/version is absent)', fix: DRIVER_FIX };
  return { check: 'driver', status: 'ok', detail: `NVIDIA kernel module ${release ?? '(version not found)'} loaded` };
}

async function nvml(p: PrecheckProbes, smiPresent: boolean): Promise<PrecheckResult> {
  const open = await p.openNvml();
  if ('nvml' in open) {
    const count = open.nvml.deviceCount();
    const version = open.nvml.driverVersion();
    open.nvml.close();
    if (!count.ok) return { check: 'nvml', status: 'fail', detail: `${open.nvml.source} loaded but nvmlDeviceGetCount failed (code ${count.code})`, fix: 'Check `dmesg` for NVRM errors and that the driver and its libraries are the same version (reinstall the driver).' };
    return { check: 'nvml', status: 'ok', detail: `${open.nvml.source} loaded: ${count.value} GPU${count.value === 1 ? '' : 's'}${version.ok ? `, driver ${version.value}` : ''}` };
  }
  const fix = 'Install the driver\'s NVML library (libnvidia-ml.so.1, in the libnvidia-compute-NNN package on Debian/Ubuntu) and run `ldconfig`; or point LOCUS_NVML_LIBRARY at it.';
  return smiPresent
    ? { check: 'nvml', status: 'warn', detail: `NVML unavailable (${open.unavailable}); the agent falls back to nvidia-smi, which costs more per sample`, fix }
    : { check: 'nvml', status: 'fail', detail: `NVML unavailable (${open.unavailable}) and no nvidia-smi to fall back on`, fix };
}

async function nvidiaSmi(p: PrecheckProbes): Promise<{ result: PrecheckResult; present: boolean }> {
  const r = await p.exec('nvidia-smi', ['-L']);
  if (r.ok) return { present: true, result: { check: 'nvidia-smi', status: 'ok', detail: `nvidia-smi answers (${r.stdout.trim().split('\n').filter(Boolean).length} GPU line(s))` } };
  if (r.missing) return { present: false, result: { check: 'nvidia-smi', status: 'warn', detail: 'nvidia-smi is not on PATH: there is no fallback when NVML does not load', fix: 'Install the driver\'s utilities (nvidia-utils-NNN-server), or keep NVML working.' } };
  return { present: true, result: { check: 'nvidia-smi', status: 'warn', detail: `nvidia-smi fails: ${r.error}`, fix: 'Run `nvidia-smi` by hand: a driver/library version mismatch needs a reboot or a reinstall.' } };
}

function devices(p: PrecheckProbes): PrecheckResult {
  const nodes = p.listDir('/dev').filter((n) => /^nvidia(ctl|\d+)$/.test(n)).sort();
  if (nodes.length === 0) return { check: 'devices', status: 'fail', detail: 'no /dev/nvidiactl or /dev/nvidiaN device files', fix: 'Load the driver (`modprobe nvidia`) or create the device files with `nvidia-modprobe -c 0`.' };
  const denied = nodes.filter((n) => !p.canOpen(`/dev/${n}`, 'rw'));
  if (denied.length > 0) {
    return { check: 'devices', status: 'fail', detail: `cannot open ${denied.map((n) => `/dev/${n}`).join(', ')} read-write (NVML needs to)`, fix: 'Run the agent as a user of the group that owns /dev/nvidia* (see `ls -l /dev/nvidia*`; the systemd unit adds the video group), or as root.' };
  }
  return { check: 'devices', status: 'ok', detail: `${nodes.map((n) => `/dev/${n}`).join(', ')} open read-write` };
}

async function kernelLog(p: PrecheckProbes): Promise<PrecheckResult> {
  const dmesg = await p.exec('dmesg', ['--time-format', 'iso']);
  if (dmesg.ok) return { check: 'kernel-log', status: 'ok', detail: 'the kernel log is readable (dmesg): Xid events are checked' };
  const journal = await p.exec('journalctl', ['-k', '-n', '1', '--no-pager', '-q']);
  if (journal.ok) return { check: 'kernel-log', status: 'ok', detail: 'the kernel log is readable (journalctl -k): Xid events are checked' };
  return {
    check: 'kernel-log',
    status: 'warn',
    detail: `the kernel log is unreadable (dmesg: ${dmesg.error}): Xid events will not be checked`,
    fix: 'Grant CAP_SYSLOG (the systemd unit does, with AmbientCapabilities=CAP_SYSLOG; in Kubernetes, where a capability is effective only for root, the Helm chart\'s agent.kernelLog runs the agent as root holding SYSLOG alone), run as root, or add the user to the adm or systemd-journal group for journalctl -k.',
  };
}

const isDirectory = (mode: number): boolean => (mode & 0o170000) === 0o040000;

function stateDir(p: PrecheckProbes, dir: string): PrecheckResult {
  const mode = p.modeOf(dir);
  if (mode === null) {
    // Enroll makes it and any missing folder above it, in the nearest one that exists.
    let ancestor = dirname(dir);
    while (p.modeOf(ancestor) === null && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
    const above = p.modeOf(ancestor);
    if (above !== null && !isDirectory(above)) return { check: 'state-dir', status: 'fail', detail: `${dir} cannot be made: ${ancestor} is not a directory`, fix: 'Pass another --state-dir (or LOCUS_AGENT_STATE_DIR).' };
    return above === null || p.canOpen(ancestor, 'rw')
      ? { check: 'state-dir', status: 'ok', detail: `${dir} does not exist yet; enroll creates it (0700)` }
      : { check: 'state-dir', status: 'fail', detail: `${dir} does not exist and ${ancestor} is not writable`, fix: `Create it for the agent's user: install -d -m 700 ${dir}, or pass --state-dir.` };
  }
  if (!isDirectory(mode)) return { check: 'state-dir', status: 'fail', detail: `${dir} is not a directory`, fix: 'Pass another --state-dir (or LOCUS_AGENT_STATE_DIR).' };
  if (!p.canOpen(dir, 'rw')) return { check: 'state-dir', status: 'fail', detail: `${dir} is not writable by this user`, fix: `chown the directory to the agent's user, or pass --state-dir.` };
  // A file in it that this user cannot use (made by another user, e.g. root before a switch to the agent's own user).
  const files = new Set([...Object.values(agentFiles(dir)), ...queueFiles(dir)]);
  const unusable = [...files].filter((path) => p.modeOf(path) !== null && !p.canOpen(path, 'rw'));
  if (unusable.length > 0) return { check: 'state-dir', status: 'fail', detail: `${unusable.join(', ')} cannot be read and written by this user`, fix: `chown -R the state dir to the agent's user: chown -R USER ${dir}` };
  if ((mode & 0o077) !== 0) return { check: 'state-dir', status: 'warn', detail: `${dir} is readable by other users (mode ${(mode & 0o777).toString(8)}); it holds the host key`, fix: `chmod 700 ${dir}` };
  return { check: 'state-dir', status: 'ok', detail: `${dir} is writable and private` };
}

const CLOCK_FIX = 'Enable time synchronisation: `timedatectl set-ntp true` (systemd-timesyncd), or install and start chrony.';

/** Whether the system clock is disciplined: systemd's view, else chrony's, else unknown. */
async function clock(p: PrecheckProbes): Promise<PrecheckResult> {
  const timedatectl = await p.exec('timedatectl', ['show', '-p', 'NTPSynchronized', '--value']);
  if (timedatectl.ok && /^(yes|no)$/.test(timedatectl.stdout.trim())) {
    return timedatectl.stdout.trim() === 'yes'
      ? { check: 'clock', status: 'ok', detail: 'the clock is synchronised (timedatectl: NTPSynchronized=yes)' }
      : { check: 'clock', status: 'warn', detail: 'the clock is not synchronised (timedatectl: NTPSynchronized=no): sample and event times may be off', fix: CLOCK_FIX };
  }
  const chrony = await p.exec('chronyc', ['tracking']);
  const leap = chrony.ok ? /^Leap status\s*:\s*(.+)$/m.exec(chrony.stdout)?.[1]?.trim() : undefined;
  if (leap !== undefined) {
    return leap === 'Normal'
      ? { check: 'clock', status: 'ok', detail: 'the clock is synchronised (chronyc tracking: Leap status Normal)' }
      : { check: 'clock', status: 'warn', detail: `the clock is not synchronised (chronyc tracking: Leap status ${leap})`, fix: CLOCK_FIX };
  }
  return { check: 'clock', status: 'unknown', detail: 'cannot tell whether the clock is synchronised (neither timedatectl nor chronyc answered)', fix: `Check by hand (\`chronyc tracking\`, \`ntpq -p\`). ${CLOCK_FIX}` };
}

async function server(p: PrecheckProbes, url: string | undefined): Promise<PrecheckResult> {
  if (url === undefined) return { check: 'server', status: 'skip', detail: 'not enrolled and no --server given' };
  const health = `${url.replace(/\/+$/, '')}/healthz`;
  const r = await p.httpGet(health);
  if (r.ok && r.status === 200) {
    // A server that says which protocol versions it reads (docs/protocol.md, Versions); one that says nothing is older than that.
    const reads = protocolVersionsOf(r.body);
    if (reads && !reads.includes(PROTOCOL_VERSION)) {
      return { check: 'server', status: 'fail', detail: `${health} answered, but the server reads protocol version(s) ${reads.join(', ')} and this agent writes ${PROTOCOL_VERSION}: it would refuse every batch (the agent would hold them)`, fix: 'Upgrade the server first (a server reads every version it has read), or run an agent that writes a version it reads.' };
    }
    return { check: 'server', status: 'ok', detail: `${health} answered in ${Math.round(r.ms)} ms${reads ? `; it reads protocol version(s) ${reads.join(', ')}, this agent writes ${PROTOCOL_VERSION}` : ''}` };
  }
  const why = r.ok ? `answered HTTP ${r.status}` : r.error;
  return { check: 'server', status: 'fail', detail: `${health}: ${why}`, fix: 'Check the URL and that this host may open outbound HTTP(S) to it (DNS, firewall, proxy); the agent needs no inbound port.' };
}

/** The protocol versions a server's /healthz says it reads; undefined when it says none (or is not JSON). */
function protocolVersionsOf(body: string | undefined): number[] | undefined {
  try {
    const versions = (JSON.parse(body ?? '') as { protocolVersions?: unknown } | null)?.protocolVersions;
    return Array.isArray(versions) && versions.every((v) => Number.isSafeInteger(v)) ? (versions as number[]) : undefined;
  } catch {
    return undefined;
  }
}

async function landmark(p: PrecheckProbes, url: string): Promise<PrecheckResult> {
  const r = await p.webSocket(url);
  if (r.ok) return { check: 'landmark', status: 'ok', detail: `${url} accepted a WebSocket in ${Math.round(r.ms)} ms` };
  return { check: 'landmark', status: 'fail', detail: `${url}: ${r.error}`, fix: 'Check the URL (ws://HOST:7443/v1/timing) and that this host may open outbound TCP to the landmark\'s port.' };
}

/** Runs every check, in the order an operator fixes them. */
export async function runPrecheck(o: PrecheckOptions, p: PrecheckProbes): Promise<readonly PrecheckResult[]> {
  const smi = await nvidiaSmi(p);
  const [drv, lib, log, clk, srv, ...lms] = await Promise.all([driver(p), nvml(p, smi.present), kernelLog(p), clock(p), server(p, o.server), ...o.landmarks.map((url) => landmark(p, url))]);
  return [drv!, lib!, smi.result, devices(p), log!, stateDir(p, o.stateDir), clk!, srv!, ...lms];
}

/** 0 when nothing failed (warnings allowed), 1 when a check failed. */
export const precheckExitCode = (results: readonly PrecheckResult[]): 0 | 1 => (results.some((r) => r.status === 'fail') ? 1 : 0);
