import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { runLocus } from '../apps/cli/src/test-support.js';
import { WORLD_HOSTS } from '../apps/cli/src/world/places.js';
import { startLiveWorld, type LiveWorld } from '../apps/cli/src/world/world.js';

/**
 * The built dashboard in a real (headless) Chromium against a whole live world in-process:
 * server, eight landmarks and six simulated hosts, one of them smuggled to Shenzhen.
 */
const root = resolve(fileURLToPath(import.meta.url), '../..');
const CHROMIUM = '/usr/bin/chromium';
const DIST = join(root, 'apps/dashboard/dist');
const SHOTS = join(root, 'test-output/dashboard');
const TOKEN = 'locus_dashboard-e2e';
const SMUGGLED = 'sin-h100-07';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI === 'true') throw new Error(`CI=true but ${CHROMIUM} is missing (apt-get install -y chromium)`);
  console.warn(`skipping the dashboard browser test: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

let world: LiveWorld | undefined;
let browser: Browser | undefined;
let page: Page;
const browserErrors: string[] = [];
const worldLog: string[] = [];

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${world!.server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Polls until `ready` holds, for at most `ms`. */
async function until(what: string, ms: number, ready: () => Promise<boolean>): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}; world log:\n${worldLog.slice(-20).join('\n')}`);
}

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

describe.skipIf(!hasChromium)('dashboard in a browser against a live world', () => {
  beforeAll(async () => {
    if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is missing: run \`npm run build\` first`);
    mkdirSync(SHOTS, { recursive: true });
    world = await startLiveWorld({
      dataDir: mkdtempSync(join(tmpdir(), 'locus-dashboard-e2e-')),
      host: '127.0.0.1',
      port: 0,
      adminToken: TOKEN,
      world: naturalEarthWorld(),
      log: (line) => worldLog.push(line),
      measureEveryMs: 5_000,
      agentIntervalMs: 2_000,
      dashboardDir: DIST,
    });
    await until('every node to have a verdict', 90_000, async () => {
      const s = await api<{ nodes: number; verdicts: { none: number } }>('/api/v1/fleet/summary');
      return s.nodes === WORLD_HOSTS.length && s.verdicts.none === 0;
    });
    const smuggled = world.hosts.find((h) => h.host.name === SMUGGLED)!.nodeId;
    await until(`every landmark to have measured ${SMUGGLED}`, 60_000, async () => (await api<{ landmarks: unknown[] }>(`/api/v1/nodes/${smuggled}/region`)).landmarks.length === 8);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('console', (m) => {
      if (m.type() === 'error') browserErrors.push(`console: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => browserErrors.push(`page error: ${e.message}`));
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await world?.stop();
  });

  it('logs in, shows the fleet, the possible zone, the smuggled node with charts and events, and downloads a proof that verifies', async () => {
    await page.goto(world!.server.url);
    await page.getByLabel('API token').fill(TOKEN);
    await shot('login');
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Overview: the numbers, the map with every node's region, and the zones.
    await expect.poll(() => page.getByTestId('summary-nodes').textContent(), { timeout: 30_000 }).toBe(String(WORLD_HOSTS.length));
    const summary = await api<{ gpus: { total: number } }>('/api/v1/fleet/summary');
    expect(await page.getByTestId('summary-gpus').textContent()).toBe(String(summary.gpus.total));
    await expect.poll(() => page.locator('path.country').count(), { timeout: 30_000 }).toBeGreaterThan(200);
    // One circle per zone member region that the fleet map lists (a copied key leaves no place to draw).
    const map = await api<{ zones: { regions: { radiusKm: number | null }[] }[] }>('/api/v1/fleet/map');
    const drawn = map.zones.flatMap((z) => z.regions).filter((r) => r.radiusKm !== null).length;
    expect(drawn).toBeGreaterThanOrEqual(WORLD_HOSTS.length - 2);
    await expect.poll(() => page.locator('path[data-region]').count(), { timeout: 30_000 }).toBe(drawn);
    expect(Number(await page.getByTestId('summary-alerts').textContent())).toBeGreaterThan(0);
    expect(await page.locator('path.country.restricted').count()).toBe(9);
    expect(await page.locator('[data-landmark]').count()).toBe(8);
    await shot('overview');

    // The zone whose smuggled member keeps restricted countries possible.
    await page.getByRole('link', { name: 'ap-southeast (Singapore)', exact: true }).click();
    await page.getByRole('heading', { name: 'Zone ap-southeast (Singapore)' }).waitFor();
    expect(page.url()).toMatch(/\/zones\/[^/]+$/);
    expect(await page.locator('h1 + .verdict-line .badge').first().textContent()).toBe('restricted possible');
    expect(await page.getByRole('note').textContent()).toMatch(new RegExp(`Restricted countries are possible for this zone: ${SMUGGLED}'s region reaches`));
    await expect.poll(() => page.locator('path[data-region]').count()).toBe(2);
    // Each member's first verdict at least, in the zone's history.
    await expect.poll(() => page.getByRole('list', { name: 'Verdict history' }).locator('li').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await shot('zone');
    // Each change's proof, rebuilt at its time, verifies and gives that verdict.
    const change = page.getByRole('list', { name: 'Verdict history' }).locator('li').first();
    const changedAt = (await change.locator('time').getAttribute('datetime'))!;
    const pastDownload = page.waitForEvent('download');
    await change.getByRole('button', { name: /^Download the proof of .*'s verdict of / }).click();
    const past = await pastDownload;
    expect(past.suggestedFilename()).toMatch(new RegExp(`^locus-proof-.+-${changedAt.replace(/[:.]/g, '-')}\\.json$`));
    const pastFile = join(mkdtempSync(join(tmpdir(), 'locus-proof-')), past.suggestedFilename());
    await past.saveAs(pastFile);
    expect(JSON.parse(readFileSync(pastFile, 'utf8'))).toMatchObject({ kind: 'locus-proof', createdAt: changedAt, verdict: { restricted: expect.stringMatching(/^(excluded|possible|certain)$/) } });
    const pastVerified = await runLocus(['proof', 'verify', pastFile]);
    // Without --trust its landmarks are the bundle's own word: it holds together (3).
    expect([pastVerified.code, pastVerified.stderr]).toEqual([3, '']);

    // The smuggled node: verdict in words, region, GPUs, charts, events.
    await page.getByRole('link', { name: SMUGGLED, exact: true }).click();
    await page.getByRole('heading', { name: new RegExp(`Node ${SMUGGLED}`) }).waitFor();
    expect(await page.getByTestId('verdict-words').textContent()).toMatch(/^Region of [\d,]+ km around .*; restricted countries possible/);
    // Its agent delivers: the host panel says when it last reported (and no refusal).
    await expect.poll(() => page.getByRole('region', { name: 'Host', exact: true }).locator('dt:text-is("Last report") + dd').textContent(), { timeout: 30_000 }).toMatch(/ ago$/);
    expect(await page.getByTestId('node-refused').count()).toBe(0);
    await expect.poll(() => page.locator('.chart canvas').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
    await expect.poll(() => page.getByRole('region', { name: 'Events', exact: true }).locator('.timeline li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // Its verdict history, each change with its proof.
    await expect.poll(() => page.getByRole('region', { name: 'Verdict history', exact: true }).getByRole('button', { name: new RegExp(`^Download the proof of ${SMUGGLED}'s verdict of `) }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.locator('table.gpus tbody tr').count()).toBe(8);
    await page.getByRole('heading', { name: 'Region' }).waitFor();
    expect(await page.locator('path.bound').count()).toBe(8);
    expect(await page.getByRole('region', { name: 'Region', exact: true }).locator('tbody tr').count()).toBe(8);
    await shot('node');
    for (const section of ['Location verdict', 'Region', 'Verdict history', 'GPUs', 'Charts', 'Events']) {
      await page.getByRole('region', { name: section, exact: true }).screenshot({ path: join(SHOTS, `node-${section.toLowerCase().replace(' ', '-')}.png`) });
    }

    // The same charts over the last week, from the server's 5-minute rollups.
    await page.getByRole('group', { name: 'Range' }).getByRole('button', { name: 'week' }).click();
    await page.getByRole('heading', { name: 'Last week' }).waitFor();
    // The range is the URL's: a reload, or the link sent to someone else, shows the week again.
    expect(new URL(page.url()).search).toBe('?range=week');
    await page.reload();
    await page.getByRole('heading', { name: 'Last week' }).waitFor();
    await expect.poll(() => page.getByRole('region', { name: 'Charts', exact: true }).locator('.chart canvas').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
    await page.getByRole('region', { name: 'Charts', exact: true }).screenshot({ path: join(SHOTS, 'node-charts-week.png') });

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download proof bundle' }).click();
    const download = await downloading;
    const file = join(mkdtempSync(join(tmpdir(), 'locus-proof-')), download.suggestedFilename());
    await download.saveAs(file);
    expect(download.suggestedFilename()).toBe(`locus-proof-${SMUGGLED}.json`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ kind: 'locus-proof' });
    const verified = await runLocus(['proof', 'verify', file]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(3);

    // Nodes, filtered through the URL; landmarks.
    await page.getByRole('navigation').getByRole('link', { name: 'Nodes' }).click();
    const listed = page.locator('tbody tr:has(td a)');
    await expect.poll(() => listed.count()).toBe(WORLD_HOSTS.length);
    await page.getByRole('searchbox').fill('sin-');
    await expect.poll(() => listed.count()).toBe(2);
    expect(new URL(page.url()).search).toBe('?q=sin-');
    await page.getByLabel('Restricted').selectOption('possible');
    await expect.poll(() => listed.count()).toBe(1);
    expect(await listed.first().locator('td a').first().textContent()).toBe(SMUGGLED);
    expect(new URL(page.url()).search).toBe('?q=sin-&verdict=possible');
    await shot('nodes');
    await page.getByLabel('Restricted').selectOption('');
    await page.getByRole('navigation').getByRole('link', { name: 'Landmarks' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(8);
    // The operator's token sees when each landmark last measured: all of them within seconds here.
    await expect.poll(() => page.locator('tbody tr td:last-child').allTextContents()).toEqual(Array(8).fill(expect.stringMatching(/^\d+ (s|min) ago$/)));
    expect(await page.locator('tr.silent, rect.landmark.silent').count()).toBe(0);
    await shot('landmarks');

    // Back stays in the page; a reload keeps the session and the view.
    await page.goBack();
    await expect.poll(() => listed.count()).toBe(2);
    await page.reload();
    await expect.poll(() => listed.count()).toBe(2);

    // A host with faults: GPU 3 fell off the bus (Xid 79), GPU 5 waits for a reset.
    await page.getByRole('navigation').getByRole('link', { name: 'Nodes' }).click();
    await page.getByRole('link', { name: 'va-h200-02', exact: true }).click();
    await expect.poll(() => page.locator('.timeline li[data-kind="health"]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator('table.gpus :is(.badge-health-unhealthy, .badge-health-degraded)').count()).toBeGreaterThan(0);
    await shot('node-faults');

    // The GPU that fell off the bus, on its own page.
    await page.locator('table.gpus tr:has(.badge-health-unhealthy) td a').first().click();
    await page.getByRole('heading', { name: / of va-h200-02/ }).waitFor();
    await expect.poll(() => page.getByRole('region', { name: 'Components' }).locator('.badge-health-unhealthy').count()).toBeGreaterThan(0);
    await shot('gpu');

    // Alerts: mute one that fires; the mute rule appears and the alert says it is muted.
    await page.getByRole('navigation').getByRole('link', { name: 'Alerts' }).click();
    await page.getByLabel('State').selectOption('firing');
    const firing = page.getByRole('table', { name: 'Alerts' }).locator('tbody tr');
    await expect.poll(() => firing.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const target = firing.filter({ has: page.getByRole('button', { name: 'Mute…' }) }).first();
    const alertId = await target.getAttribute('data-alert');
    await target.getByRole('button', { name: 'Mute…' }).click();
    await target.getByLabel('Reason').fill('e2e: under investigation');
    await target.getByRole('button', { name: 'Mute', exact: true }).click();
    await expect.poll(() => page.locator(`tr[data-alert="${alertId}"]`).textContent()).toMatch(/muted until .*: e2e: under investigation/);
    await expect.poll(() => page.getByRole('table', { name: 'Mute rules' }).locator('tbody tr').count()).toBe(1);
    const rules = await api<{ rules: { reason: string }[] }>('/api/v1/mute-rules');
    expect(rules.rules.map((r) => r.reason)).toEqual(['e2e: under investigation']);
    await shot('alerts');

    // Reports: a signed CSV, listed with its file and signature.
    await page.getByRole('navigation').getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('button', { name: 'Make a signed report' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Reports' }).locator('tbody tr').count()).toBe(1);
    const signature = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Signature' }).click();
    expect((await signature).suggestedFilename()).toMatch(/^locus-fleet-.*\.csv\.sig\.json$/);
    await shot('reports');

    // Enrollment: a token and the command that uses it.
    await page.getByRole('navigation').getByRole('link', { name: 'Enrollment' }).click();
    await page.getByRole('button', { name: 'Make token' }).click();
    const command = (await page.getByTestId('enroll-command').textContent()) ?? '';
    expect(command.startsWith("printf '%s\\n' 'locus_")).toBe(true);
    expect(command.endsWith(` | sudo locus agent enroll --server '${world!.server.url}' --token-file -`)).toBe(true);
    await shot('enrollment');

    // Settings: this session's token among the org's.
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Tokens' }).locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByRole('table', { name: 'Tokens' }).textContent()).toMatch(/this session/);
    await shot('settings');

    // Live: the server's change stream is open, and zones made elsewhere show on the overview
    // within 3.5 s (a change reloads a page at once, or 2 s after its last load), three times
    // (its poll, every 10 s, would meet all three by chance about one time in 25).
    await page.getByRole('navigation').getByRole('link', { name: 'Overview' }).click();
    await page.locator('.top .live.on').waitFor();
    const zones = async () => Number(/(\d+) zone\(s\)/.exec((await page.getByText(/zone\(s\)/).textContent()) ?? '')?.[1]);
    await expect.poll(zones).toBeGreaterThan(0);
    for (const name of ['e2e-live-zone-1', 'e2e-live-zone-2', 'e2e-live-zone-3']) {
      await new Promise((r) => setTimeout(r, 2_000));
      const before = await zones();
      const made = await fetch(`${world!.server.url}/api/v1/zones`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
      expect(made.status).toBe(201);
      await expect.poll(zones, { timeout: 3_500 }).toBe(before + 1);
    }

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(browserErrors).toEqual([]);
  }, 180_000);
});
