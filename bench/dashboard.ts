/**
 * npm run bench:dashboard [-- --quick] [--fleet-gpus N]
 *
 * The dashboard with a large fleet: 12,500 nodes × 8 GPUs (100,000 GPUs) in 200 zones (--quick:
 * 1,000 nodes in 20 zones), seeded straight through the storage repositories into SQLite, served
 * by the real server (without its background alert sweep, so that only the dashboard's requests
 * are timed) and driven by headless Chromium.
 *
 * Measured, in the page's own clock from navigation start:
 *  - overview: until the summary numbers, every zone's regions on the map, the borders and the
 *    zones table are rendered (goal < 1 s);
 *  - node list: until the first rows are rendered;
 *  - node filter: from typing a name filter, or choosing a verdict, until the matching rows are
 *    rendered (goal < 300 ms).
 * References measured in the same run: a page with no data (the fixed cost of the script and
 * the session), and the time to fetch each JSON the pages use with Node's fetch.
 *
 * --fleet-gpus N seeds N/8 nodes (a zone per 62.5) and times only the API queries the pages
 * make, without a browser, for the fleet-size table of `npm run bench`.
 *
 * The last line printed is one JSON object with the figures.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import type { VerdictRecord } from '@locus/protocol';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { DEFAULT_ORG, DEFAULT_SERVER_CONFIG, buildApp, prepareStorage, systemClock } from '@locus/server';
import { NodeRepo, TelemetryRepo, VerdictRepo, ZoneRepo, type Storage } from '@locus/storage';
import { parseArgs } from 'node:util';
import { figure, hostsForGpus, printFigures } from './figures.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'fleet-gpus': { type: 'string' } } });
const quick = values.quick;
const fleetNodes = hostsForGpus(values['fleet-gpus'], 8);
const NODES = fleetNodes ?? (quick ? 1_000 : 12_500);
/** 62.5 nodes a zone, in tens (every tenth zone holds a node that cannot rule out a restricted country). */
const ZONES = Math.max(10, Math.round(NODES / 625) * 10);
const GPUS_PER_NODE = 8;
const RUNS = 5;
const GOAL_OVERVIEW_MS = 1_000;
const GOAL_FILTER_MS = 300;
const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'locus_bench-dashboard';
const DIST = resolve(fileURLToPath(import.meta.url), '../../apps/dashboard/dist');

/** Zone sites: spread over the inhabited latitudes; every tenth zone has one member that cannot rule out a restricted country. */
const site = (z: number) => ({ lat: -35 + ((z * 37) % 95), lon: -170 + ((z * 71) % 340) });
const record = (z: number, restricted: VerdictRecord['restricted']): VerdictRecord => ({
  claimed: 'DE',
  claim: restricted === 'excluded' ? 'consistent' : 'contradicted',
  restricted,
  possibleCountries: ['DE'],
  areaKm2: 20_000,
  radiusKm: restricted === 'excluded' ? 80 : 900,
  estimate: site(z),
  countryEstimate: 'DE',
});

async function seed(storage: Storage): Promise<void> {
  const now = systemClock.now().getTime();
  const zones = new ZoneRepo(storage.db);
  for (let z = 0; z < ZONES; z++) await zones.create({ id: `zone-${z}`, org_id: DEFAULT_ORG, name: `zone-${String(z).padStart(3, '0')}`, claimed_country: 'DE', created_at: now });
  const BATCH = 250;
  for (let first = 0; first < NODES; first += BATCH) {
    await storage.db.transaction().execute(async (trx) => {
      const nodes = new NodeRepo(trx);
      const telemetry = new TelemetryRepo(trx);
      const verdicts = new VerdictRepo(trx);
      for (let i = first; i < Math.min(NODES, first + BATCH); i++) {
        const z = i % ZONES;
        const id = `node-${i}`;
        await nodes.create({ id, org_id: DEFAULT_ORG, name: `gpu-z${String(z).padStart(3, '0')}-n${String(i).padStart(5, '0')}`, host_key: `bench-key-${i}`, claimed_country: 'DE', created_at: now, last_measured_at: now, unenrolled_at: null, zone_id: `zone-${z}` });
        await telemetry.seeGpus(id, Array.from({ length: GPUS_PER_NODE }, (_, g) => ({ uuid: `GPU-${i}-${g}`, serial: `${i * 10 + g}`, name: g % 2 ? 'NVIDIA H200' : 'NVIDIA H100 80GB HBM3', pci_bus_id: `0000:${(0x18 + g).toString(16)}:00.0` })), now);
        const smuggled = z % 10 === 0 && i < ZONES;
        await verdicts.insert({ id: `v-${i}`, nodeId: id, computedAt: now, measurements: 8, record: record(z, smuggled ? 'possible' : 'excluded'), notes: [] });
        if (i % 97 === 0) {
          // As the ingest route stores a health event: the event, and the node's latest health.
          const event = { id: `h-${i}`, at: now, component: 'xid', gpu: `GPU-${i}-3`, health: i % 2 ? 'unhealthy' : 'degraded', reason: 'Xid 79', suggestedAction: 'reboot' };
          await telemetry.addEvent({ id: event.id, node_id: id, kind: 'health', at: now, body: JSON.stringify({ kind: 'health', ...event, at: new Date(now).toISOString() }) });
          await telemetry.noteHealth(id, event);
        }
      }
    });
  }
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

/** Navigates and waits in the page for `ready`; returns ms from navigation start to the first frame where it holds. */
async function navigateUntil(page: Page, url: string, ready: string): Promise<number> {
  return (await navigateUntilEach(page, url, { ready })).ready!;
}

/**
 * Navigates and waits in the page until every condition holds; returns, for each, ms from
 * navigation start to the first frame where it held.
 */
async function navigateUntilEach(page: Page, url: string, conditions: Readonly<Record<string, string>>): Promise<Record<string, number>> {
  await page.goto(url, { waitUntil: 'commit' });
  const checks = Object.entries(conditions).map(([name, ready]) => `if (!(${JSON.stringify(name)} in m) && (${ready})) m[${JSON.stringify(name)}] = performance.now();`);
  const fn = `(() => { const m = (globalThis.benchMarks ??= {}); ${checks.join(' ')} return Object.keys(m).length === ${Object.keys(conditions).length} ? m : false; })()`;
  const handle = await page.waitForFunction(fn, undefined, { polling: 'raf', timeout: 60_000 });
  return (await handle.jsonValue()) as Record<string, number>;
}

/** Runs `act` and waits in the page for `ready`; returns ms from just before the action to the first frame where it holds. */
async function actUntil(page: Page, act: () => Promise<void>, ready: string): Promise<number> {
  await page.evaluate(() => ((globalThis as unknown as { benchT0: number }).benchT0 = performance.now()));
  await act();
  const handle = await page.waitForFunction(`(() => (${ready}) ? performance.now() - globalThis.benchT0 : false)()`, undefined, { polling: 'raf', timeout: 60_000 });
  return (await handle.jsonValue()) as number;
}

async function main(): Promise<void> {
  const browsing = fleetNodes === undefined;
  if (browsing && !existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is missing: run \`npm run build\` first`);
  if (browsing && !existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  const dataDir = mkdtempSync(join(tmpdir(), 'locus-bench-dashboard-'));
  const { storage } = await prepareStorage({ dataDir, adminToken: TOKEN }, systemClock);
  const seedStart = performance.now();
  await seed(storage);
  const seedMs = performance.now() - seedStart;
  console.log(`seeded ${NODES} nodes × ${GPUS_PER_NODE} GPUs in ${ZONES} zones in ${(seedMs / 1000).toFixed(1)} s (${storage.description})`);
  const app = await buildApp({ storage, world: naturalEarthWorld(), config: DEFAULT_SERVER_CONFIG, clock: systemClock, logger: false, dashboardDir: DIST });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = browsing ? await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true }) : undefined;
  try {
    const fetchMs = async (path: string): Promise<number> => {
      const times: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const t0 = performance.now();
        const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
        if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
        // Prometheus text for the fleet's scrape; JSON for the pages' calls.
        await (path.endsWith('/metrics') ? res.text() : res.json());
        times.push(performance.now() - t0);
      }
      return round(median(times));
    };
    const api = {
      summaryMs: await fetchMs('/api/v1/fleet/summary'),
      fleetMapMs: await fetchMs('/api/v1/fleet/map'),
      alertsMs: await fetchMs('/api/v1/alerts?state=firing&limit=1000'),
      nodesPageMs: await fetchMs('/api/v1/nodes?offset=0&limit=100'),
      nodesFilteredMs: await fetchMs('/api/v1/nodes?q=z017&offset=0&limit=100'),
      fleetMetricsMs: await fetchMs('/api/v1/fleet/metrics'),
    };
    const scrape = await (await fetch(`${base}/api/v1/fleet/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const fleetMetricsSeries = scrape.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
    console.log(`API (Node fetch, median of ${RUNS}): ${JSON.stringify(api)}; the fleet's scrape: ${fleetMetricsSeries} series, ${Math.round(scrape.length / 1024)} KiB`);
    if (!browser) {
      printFigures({ nodes: NODES, gpus: NODES * GPUS_PER_NODE, zones: ZONES, fleetMetricsSeries, ...Object.fromEntries(Object.entries(api).map(([k, v]) => [k, figure(v, 'ms')])) });
      return;
    }

    // The bench's readiness checks are expressions evaluated in the page, which the dashboard's CSP (no eval) refuses.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await context.addInitScript(`sessionStorage.setItem('locus.token', ${JSON.stringify(TOKEN)})`);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));

    const drawnRegions = ZONES + ZONES / 10;
    // The overview's parts, each timed: the map and zones (fleet/map) and the numbers (fleet/summary) load apart.
    const overviewParts = {
      numbers: `document.querySelector('[data-testid=summary-nodes]')?.textContent === '${NODES}'`,
      regions: `document.querySelectorAll('path[data-region]').length === ${drawnRegions}`,
      borders: `document.querySelectorAll('path.country').length > 200`,
      zones: `document.querySelectorAll('main table tbody tr').length === ${ZONES}`,
    };
    const emptyPage = [];
    const overview = [];
    const overviewMap = [];
    const parts: Record<string, number>[] = [];
    for (let r = 0; r < RUNS; r++) {
      emptyPage.push(await navigateUntil(page, `${base}/no-such-page`, `document.querySelector('h1')?.textContent === 'No such page'`));
      const marks = await navigateUntilEach(page, `${base}/`, overviewParts);
      overview.push(Math.max(...Object.values(marks)));
      overviewMap.push(Math.max(marks.regions!, marks.borders!, marks.zones!));
      parts.push(marks);
    }
    console.log(`overview: ${overview.map(round).join(', ')} ms (map and zones: ${overviewMap.map(round).join(', ')} ms); empty page: ${emptyPage.map(round).join(', ')} ms`);
    console.log(`overview parts, median ms: ${Object.keys(overviewParts).map((k) => `${k} ${round(median(parts.map((m) => m[k]!)))}`).join(', ')}`);

    const rows = `document.querySelectorAll('.virtual tbody tr:not(.spacer):not(.pending)')`;
    const nodeList = [];
    const filterText = [];
    const filterVerdict = [];
    for (let r = 0; r < RUNS; r++) {
      nodeList.push(await navigateUntil(page, `${base}/nodes`, `document.querySelector('[data-testid=node-count]')?.textContent === '${NODES} node(s)' && ${rows}.length > 10`));
      // Zones 0, 10, 20, … each hold one node that cannot rule out a restricted country.
      const z = String(((r * 3 + 1) * 10) % ZONES).padStart(3, '0');
      const expected = Math.ceil((NODES - Number(z)) / ZONES);
      filterText.push(
        await actUntil(
          page,
          () => page.getByRole('searchbox').fill(`z${z}`),
          `document.querySelector('[data-testid=node-count]')?.textContent === '${expected} node(s) match' && ${rows}.length > 0 && [...${rows}].every((tr) => tr.textContent.includes('gpu-z${z}'))`,
        ),
      );
      filterVerdict.push(
        await actUntil(
          page,
          () => page.getByLabel('Restricted').selectOption('possible').then(() => undefined),
          `document.querySelector('[data-testid=node-count]')?.textContent === '1 node(s) match' && ${rows}.length === 1`,
        ),
      );
    }
    console.log(`node list: ${nodeList.map(round).join(', ')} ms; filter by name: ${filterText.map(round).join(', ')} ms; then by verdict: ${filterVerdict.map(round).join(', ')} ms`);
    if (errors.length > 0) throw new Error(`the browser reported errors: ${errors.join('; ')}`);

    const overviewMedian = median(overview);
    printFigures({
      fleet: { nodes: NODES, gpus: NODES * GPUS_PER_NODE, zones: ZONES },
      database: storage.description,
      runs: RUNS,
      seedS: figure(round(seedMs / 1000), 's'),
      overviewMs: figure(round(overviewMedian), 'ms', { label: 'goal', value: GOAL_OVERVIEW_MS }),
      overviewFirstMs: figure(round(overview[0]!), 'ms'),
      overviewMapAndZonesMs: figure(round(median(overviewMap)), 'ms', { label: 'page with no data', value: round(median(emptyPage)) }),
      nodeListMs: figure(round(median(nodeList)), 'ms', { label: 'page with no data', value: round(median(emptyPage)) }),
      filterByNameMs: figure(round(median(filterText)), 'ms', { label: 'goal', value: GOAL_FILTER_MS }),
      filterByVerdictMs: figure(round(median(filterVerdict)), 'ms', { label: 'goal', value: GOAL_FILTER_MS }),
      met: { overview: overviewMedian < GOAL_OVERVIEW_MS, filter: Math.max(median(filterText), median(filterVerdict)) < GOAL_FILTER_MS },
      api: Object.fromEntries(Object.entries(api).map(([k, v]) => [k, figure(v, 'ms')])),
    });
  } finally {
    await browser?.close();
    await app.close();
    await storage.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
