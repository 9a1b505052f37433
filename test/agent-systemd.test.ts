import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUnit } from './support/systemd.js';

/** deploy/systemd/locus-agent.service: hardened, and its ExecStart runs a command the bundle has. */
const root = resolve(fileURLToPath(import.meta.url), '../..');
const unitText = readFileSync(join(root, 'deploy/systemd/locus-agent.service'), 'utf8');
/** The directory the unit expects the bundle in. */
const INSTALL_DIR = '/opt/locus-agent';

const service = parseUnit(unitText).get('Service')!;
const one = (key: string) => service.get(key)?.at(-1);

let bundle: string;
beforeAll(() => {
  // Its own build, so as not to race test/agent-bundle.test.ts over dist/locus-agent.
  bundle = join(mkdtempSync(join(tmpdir(), 'locus-unit-')), 'locus-agent');
  execFileSync(process.execPath, [join(root, 'deploy/build-agent.mjs'), '--out', bundle], { cwd: root, stdio: 'pipe' });
}, 120_000);

describe('the systemd unit', () => {
  it.each([
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['StateDirectory', 'locus-agent'],
    ['StateDirectoryMode', '0700'],
    ['User', 'locus-agent'],
    ['CapabilityBoundingSet', 'CAP_SYSLOG'],
    ['AmbientCapabilities', 'CAP_SYSLOG'],
    ['DevicePolicy', 'closed'],
    ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX AF_NETLINK'],
    ['ProtectKernelTunables', 'yes'],
    ['ProtectKernelModules', 'yes'],
    ['ProtectControlGroups', 'yes'],
    ['RestrictNamespaces', 'yes'],
    ['RestrictSUIDSGID', 'yes'],
    ['LockPersonality', 'yes'],
    ['SystemCallFilter', '@system-service'],
    ['UMask', '0077'],
    ['Environment', 'LOCUS_AGENT_STATE_DIR=/var/lib/locus-agent'],
  ])('sets %s=%s', (key, value) => expect(one(key)).toBe(value));

  it('lets the agent reach only the GPU device files and the kernel log', () => {
    expect(service.get('DeviceAllow')).toEqual(['char-nvidia-frontend rw', 'char-nvidia-caps r', '/dev/kmsg r']);
    // The Xid check reads the kernel log: hiding it would silence that check.
    expect(one('ProtectKernelLogs')).toBe('no');
  });

  it('runs `locus agent run` from the installed bundle, a command the bundle has', () => {
    const [command, ...args] = one('ExecStart')!.split(/\s+/);
    expect(command).toBe(`${INSTALL_DIR}/bin/locus`);
    expect(args).toEqual(['agent', 'run']);
    const inBundle = join(bundle, command!.slice(INSTALL_DIR.length + 1));
    accessSync(inBundle, constants.X_OK);
    const help = spawnSync(inBundle, [...args, '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH!, LOCUS_NODE: process.execPath } });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: locus agent run /);
    expect(readFileSync(join(bundle, 'locus-agent.service'), 'utf8')).toBe(unitText);
  });

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  if (!analyze) console.warn('skipping systemd-analyze checks of the unit: systemd-analyze is not installed');
  it.skipIf(!analyze)('passes systemd-analyze verify, with an exposure level systemd calls OK', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-unit-verify-'));
    const unit = join(dir, 'locus-agent.service');
    writeFileSync(unit, unitText.replaceAll(INSTALL_DIR, bundle));
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(verify.stderr.split('\n').filter((l) => l.includes('locus-agent.service'))).toEqual([]);
    expect(verify.status).toBe(0);
    const security = spawnSync('systemd-analyze', ['security', '--offline=yes', unit], { encoding: 'utf8' });
    const exposure = /Overall exposure level for locus-agent\.service: ([\d.]+) (\w+)/.exec(security.stdout);
    expect(exposure, security.stdout + security.stderr).not.toBeNull();
    expect(Number(exposure![1])).toBeLessThanOrEqual(3);
  });
});
