import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_CONFIG } from '@locus/server';
import { runLocus } from '../test-support.js';
import { serverConfig } from './server-start.js';

const DAY = 86_400_000;

describe('locus server start settings', () => {
  it('keeps the defaults, and takes retention days and trusted proxies', () => {
    expect(serverConfig({}, {})).toEqual(DEFAULT_SERVER_CONFIG);
    const set = serverConfig({ 'raw-retention-days': '14', 'rollup-retention-days': '730', 'trust-proxy': '10.0.0.0/8, ::1,192.0.2.7' }, { LOCUS_TRUST_PROXY: '203.0.113.1' });
    expect(set).toMatchObject({ rawRetentionMs: 14 * DAY, rollupRetentionMs: 730 * DAY, trustProxy: ['10.0.0.0/8', '::1', '192.0.2.7'] });
    expect(serverConfig({}, { LOCUS_TRUST_PROXY: '172.16.0.0/12' }).trustProxy).toEqual(['172.16.0.0/12']);
    expect(serverConfig({ 'webhook-allow': '10.20.0.0/16,fd00::/8' }, { LOCUS_WEBHOOK_ALLOW: '192.168.1.9' }).webhookAllow).toEqual(['10.20.0.0/16', 'fd00::/8']);
    expect(serverConfig({}, { LOCUS_WEBHOOK_ALLOW: '192.168.1.9' }).webhookAllow).toEqual(['192.168.1.9']);
    // Raw samples kept longer than the default rollups: rollups are kept as long.
    expect(serverConfig({ 'raw-retention-days': '500' }, {}).rollupRetentionMs).toBe(500 * DAY);
    expect(serverConfig({ 'silent-after-minutes': '2', 'alert-sweep-minutes': '10' }, {})).toMatchObject({ silentAfterMs: 120_000, landmarkSilentAfterMs: 900_000, alertSweepEveryMs: 600_000 });
    expect(serverConfig({ 'landmark-silent-after-minutes': '60' }, {}).landmarkSilentAfterMs).toBe(3_600_000);
    expect(serverConfig({ 'measurement-retention-days': '365' }, {}).measurementRetentionMs).toBe(365 * DAY);
    expect([serverConfig({}, {}).deliveryRetentionMs, serverConfig({ 'delivery-retention-days': '3' }, {}).deliveryRetentionMs]).toEqual([30 * DAY, 3 * DAY]);
    expect([serverConfig({}, {}).measurementCompaction, serverConfig({ 'keep-every-measurement': true }, {}).measurementCompaction]).toEqual([true, false]);
    expect(serverConfig({ 'verdict-interval-seconds': '0' }, {}).verdictIntervalMs).toBe(0);
    expect(serverConfig({ 'verdict-interval-seconds': '120' }, {}).verdictIntervalMs).toBe(120_000);
  });

  it.each([
    [['--raw-retention-days', '0'], /--raw-retention-days must be a number of days from 1 to 36500, got "0"/],
    [['--raw-retention-days', 'week'], /--raw-retention-days must be a number of days/],
    [['--raw-retention-days', '30', '--rollup-retention-days', '7'], /--rollup-retention-days must be at least --raw-retention-days/],
    [['--trust-proxy', '10.0.0.0/33'], /--trust-proxy: "10.0.0.0\/33" is not an IP address or CIDR range/],
    [['--trust-proxy', 'proxy.internal'], /"proxy.internal" is not an IP address/],
    [['--trust-proxy', '::1/129'], /"::1\/129" is not/],
    [['--webhook-allow', 'relay.internal'], /--webhook-allow: "relay.internal" is not an IP address or CIDR range/],
    [['--silent-after-minutes', '0'], /--silent-after-minutes must be a number of minutes from 1 to 1440, got "0"/],
    [['--landmark-silent-after-minutes', '1441'], /--landmark-silent-after-minutes must be a number of minutes from 1 to 1440, got "1441"/],
    [['--measurement-retention-days', '0.5'], /--measurement-retention-days must be a number of days from 1 to 36500, got "0.5"/],
    [['--delivery-retention-days', '0'], /--delivery-retention-days must be a number of days from 1 to 36500, got "0"/],
    [['--alert-sweep-minutes', 'often'], /--alert-sweep-minutes must be a number of minutes from 1 to 1440, got "often"/],
    [['--database-pool', '1', '--database-url', 'postgres://locus@127.0.0.1:1/none'], /--database-pool must be a whole number of connections from 2 to 100, got "1"/],
    [['--database-pool', '20'], /--database-pool is for a PostgreSQL database \(--database-url postgres:\/\/…\); SQLite and PGlite have no pool/],
    [['--verdict-interval-seconds', '3601'], /--verdict-interval-seconds must be a whole number of seconds from 0 to 3600, got "3601"/],
    [['--decoder-threads', '2.5'], /--decoder-threads must be a whole number of threads from 0 to 64, got "2.5"/],
  ])('refuses %j with a usage error before starting', async (args, message) => {
    const r = await runLocus(['server', 'start', '--port', '0', ...args]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });
});

describe('LOCUS_ADMIN_TOKEN', () => {
  it.each([
    ['server start', ['server', 'start', '--host', '127.0.0.1', '--port', '0']],
    ['start', ['start', '--host', '127.0.0.1', '--port', '0']],
  ])('%s refuses one short enough to guess, before it starts anything', async (command, args) => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-weak-token-'));
    for (const token of ['a', 'admin', 'fifteen-chars!!']) {
      const r = await runLocus([...args, '--data-dir', join(dir, 'data')], dir, { LOCUS_ADMIN_TOKEN: token });
      expect(r.stderr).toBe(
        `locus: error LOCUS_ERR_CLI_USAGE: locus ${command}: LOCUS_ADMIN_TOKEN has ${token.length} character${token.length === 1 ? '' : 's'}; an owner token needs at least 16, or whoever guesses it owns the fleet\nUse a random one (openssl rand -base64 32), or leave it unset: the first start then makes one and prints it.\n`,
      );
      expect(r.code).toBe(2);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
