import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { withMetricsDefault } from '../apps/cli/src/commands/agent-run.js';

/**
 * The agent takes no commands (packages/responder's test shows it obeys nothing but a
 * landmark's challenge); here, that it listens on nothing either: no TCP, UDP or Unix socket
 * accepts anything, except the optional GET /metrics, on loopback, when asked for.
 */
const root = resolve(fileURLToPath(import.meta.url), '../..');
const bin = join(root, 'apps/cli/bin/locus.js');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

interface Listener {
  readonly proto: 'tcp' | 'udp' | 'unix';
  readonly address: string;
  readonly port: number;
}

/** "0100007F:24B8" → 127.0.0.1:9400; IPv6 addresses are four little-endian 32-bit words. */
function hexAddress(text: string): { address: string; port: number } {
  const [ip, port] = text.split(':') as [string, string];
  const words = ip.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
  const address = ip.length === 8 ? words[0]!.match(/../g)!.map((b) => parseInt(b, 16)).join('.') : words.join('').match(/.{4}/g)!.map((h) => parseInt(h, 16).toString(16)).join(':');
  return { address, port: parseInt(port, 16) };
}

/** Every socket of `pid` that accepts connections or datagrams, from /proc. */
function listeners(pid: number): Listener[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? [];
      } catch {
        return [];
      }
    }),
  );
  const table = (file: string) => readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  const found: Listener[] = [];
  for (const [file, proto, listening] of [['tcp', 'tcp', '0A'], ['tcp6', 'tcp', '0A'], ['udp', 'udp', '07'], ['udp6', 'udp', '07']] as const) {
    for (const row of table(`/proc/net/${file}`)) if (row[3] === listening && inodes.has(row[9]!)) found.push({ proto, ...hexAddress(row[1]!) });
  }
  // /proc/net/unix: Num RefCount Protocol Flags Type St Inode Path; flag 00010000 marks a listening socket.
  for (const row of table('/proc/net/unix')) if ((parseInt(row[3]!, 16) & 0x10000) !== 0 && inodes.has(row[6]!)) found.push({ proto: 'unix', address: row[7] ?? '(abstract)', port: 0 });
  return found;
}

/** An enrolled agent state dir whose server is unreachable: the agent runs and queues. */
function enrolledStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'locus-agent-listen-'));
  writeFileSync(join(dir, 'enrollment.json'), JSON.stringify({ server: 'http://127.0.0.1:9', nodeId: 'node-1', orgId: 'default', enrolledAt: '2026-11-29T00:00:00.000Z', samplingIntervalS: 10 }));
  return dir;
}

async function runAgent(extra: string[]): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [bin, 'agent', 'run', '--simulate', '8xH100', '--interval-s', '0.2', '--state-dir', enrolledStateDir(), ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  const end = performance.now() + 20_000;
  while (!/agent running/.test(log)) {
    if (performance.now() > end || child.exitCode !== null) throw new Error(`the agent did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // A few passes and send attempts, so that anything opened lazily is open.
  await new Promise((r) => setTimeout(r, 1_500));
  return { child, log: () => log };
}

describe.skipIf(process.platform !== 'linux')('what the running agent listens on', () => {
  it('listens on nothing without --metrics', async () => {
    const { child, log } = await runAgent([]);
    expect(log()).toMatch(/cannot deliver/);
    expect(listeners(child.pid!)).toEqual([]);
  });

  it('with --metrics, listens only on the metrics port on loopback, which serves GET /metrics and nothing else', async () => {
    const { child, log } = await runAgent(['--metrics', '127.0.0.1:0']);
    const url = /metrics at (http:\/\/127\.0\.0\.1:(\d+)\/metrics)/.exec(log());
    expect(url, log()).not.toBeNull();
    expect(listeners(child.pid!)).toEqual([{ proto: 'tcp', address: '127.0.0.1', port: Number(url![2]) }]);
    const text = await (await fetch(url![1]!)).text();
    expect(text).toMatch(/^DCGM_FI_DEV_GPU_TEMP\{gpu="0",UUID="GPU-[^"]+",pci_bus_id="00000000:18:00.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3"/m);
    expect(text).toMatch(/^locus_agent_outbox_items\{kind="sample"\} [1-9]/m);
    expect((await fetch(url![1]!.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(url![1]!, { method: 'POST', body: 'x' })).status).toBe(404);
  });
});

describe('--metrics with no address', () => {
  it.each([
    [['--metrics'], ['--metrics', '127.0.0.1:9400']],
    [['--metrics', '--simulate', '8xH100'], ['--metrics', '127.0.0.1:9400', '--simulate', '8xH100']],
    [['--metrics', '[::1]:9500'], ['--metrics', '[::1]:9500']],
    [['--simulate', '8xH100'], ['--simulate', '8xH100']],
  ])('%j means %j', (args, expanded) => expect(withMetricsDefault(args)).toEqual(expanded));
});
