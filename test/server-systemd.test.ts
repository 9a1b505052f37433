import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MEASURE_CONFIG } from '@locus/landmark';
import { readUnit } from './support/systemd.js';

/** deploy/systemd/locus-{server,landmark}.service: hardened, and their ExecStart is a command line `locus` accepts. */
const root = resolve(fileURLToPath(import.meta.url), '../..');
const INSTALL_DIR = '/opt/locus';
const SAMPLE_ENV: Record<string, string> = { LANDMARK_ID: 'fra-1', LANDMARK_LAT: '50.1109', LANDMARK_LON: '8.6821', LANDMARK_COUNTRY: 'DE', LOCUS_SERVER: 'https://locus.example.com' };
const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!analyze) console.warn('skipping systemd-analyze checks of the units: systemd-analyze is not installed');

describe.each([
  ['locus-server', ['server', 'start'], 'locus-server'],
  ['locus-landmark', ['landmark', 'serve'], 'locus-landmark'],
])('the %s unit', (name, command, stateDir) => {
  const { text, service } = readUnit(join(root, `deploy/systemd/${name}.service`));
  const one = (key: string) => service.get(key)?.at(-1);

  it.each([
    ['NoNewPrivileges', 'yes'],
    ['CapabilityBoundingSet', ''],
    ['ProtectSystem', 'strict'],
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['PrivateDevices', 'yes'],
    ['ProtectKernelTunables', 'yes'],
    ['ProtectKernelModules', 'yes'],
    ['ProtectControlGroups', 'yes'],
    ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX'],
    ['RestrictNamespaces', 'yes'],
    ['RestrictSUIDSGID', 'yes'],
    ['LockPersonality', 'yes'],
    ['SystemCallFilter', '@system-service'],
    ['StateDirectory', stateDir],
    ['StateDirectoryMode', '0700'],
    ['UMask', '0077'],
    ['User', 'locus'],
  ])('sets %s=%s', (key, value) => expect(one(key)).toBe(value));

  it(`runs \`locus ${command.join(' ')}\` from the built checkout, with options the command accepts`, () => {
    const [node, bin, ...args] = one('ExecStart')!.replace(/\$\{(\w+)\}/g, (_, v: string) => SAMPLE_ENV[v]!).split(/\s+/);
    expect(node).toBe('/usr/bin/node');
    expect(bin).toBe(`${INSTALL_DIR}/apps/cli/bin/locus.js`);
    expect(args.slice(0, 2)).toEqual(command);
    // Every option parses (an unknown one would be a usage error even with --help).
    const help = spawnSync(process.execPath, [join(root, bin!.slice(INSTALL_DIR.length + 1)), ...args, '--help'], { encoding: 'utf8' });
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^Usage: locus ${command.join(' ')} `));
  });

  it.skipIf(!analyze)('passes systemd-analyze verify, with an exposure level systemd calls OK', () => {
    const unit = join(mkdtempSync(join(tmpdir(), 'locus-unit-')), `${name}.service`);
    writeFileSync(unit, text.replaceAll(INSTALL_DIR, root).replace('/usr/bin/node', process.execPath));
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(verify.stderr.split('\n').filter((l) => l.includes(`${name}.service`))).toEqual([]);
    const security = spawnSync('systemd-analyze', ['security', '--offline=yes', unit], { encoding: 'utf8' });
    const exposure = new RegExp(`Overall exposure level for ${name}\\.service: ([\\d.]+) (\\w+)`).exec(security.stdout);
    expect(exposure, security.stdout + security.stderr).not.toBeNull();
    expect(Number(exposure![1])).toBeLessThanOrEqual(3);
  });
});

describe('the locus-landmark unit', () => {
  it("opens as many files as the landmark's connection limit needs: beyond systemd's default of 1,024, hosts are refused without a word", () => {
    const { service } = readUnit(join(root, 'deploy/systemd/locus-landmark.service'));
    // One descriptor per host, and a few for the process itself.
    expect(Number(service.get('LimitNOFILE')?.at(-1))).toBeGreaterThanOrEqual(DEFAULT_MEASURE_CONFIG.maxConnections + 100);
  });
});
