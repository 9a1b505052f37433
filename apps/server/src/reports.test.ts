import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, checkReport, generateSigningKey, signBody, signReport, type ReportKey, type SigningKey } from '@locus/protocol';
import { buildApp } from './app.js';
import { DEFAULT_SERVER_CONFIG } from './config.js';
import { enrollAgent, hostInventory, landmark, measurementOf, testServer, world, type TestServer } from './test-support.js';

const LANDMARKS = [landmark('fra-1', 'DE', 50.1109, 8.6821), landmark('lon-1', 'GB', 51.5074, -0.1278), landmark('waw-1', 'PL', 52.2297, 21.0122)];

let s: TestServer;
let owner: { authorization: string };
beforeEach(async () => {
  s = await testServer();
  owner = await s.tokenFor('org-a', 'owner');
  await s.registerLandmarks(LANDMARKS.map((l) => l.info));
});
afterEach(async () => s.close());

const call = (method: 'GET' | 'POST', url: string, payload?: object, headers = owner) => s.app.inject(payload === undefined ? { method, url, headers } : { method, url, headers, payload });
type Entry = { id: string; format: string; zoneId: string | null; bytes: number; sha256: string; publicKey: string; file: string; signature: string };

async function report(payload: object, headers = owner): Promise<{ entry: Entry; file: Buffer; signature: unknown; contentType: string }> {
  const made = await call('POST', '/api/v1/reports', payload, headers);
  expect(made.statusCode).toBe(201);
  const entry = made.json() as Entry;
  const file = await call('GET', entry.file, undefined, headers);
  const sig = await call('GET', entry.signature, undefined, headers);
  return { entry, file: file.rawPayload, signature: sig.json(), contentType: String(file.headers['content-type']) };
}

function unhealthy(key: SigningKey, gpu: string) {
  const at = s.clock.now().toISOString();
  const events = [{ kind: 'health', id: randomUUID(), at, component: 'xid', gpu, health: 'unhealthy', reason: 'Xid 79: fallen off the bus', suggestedAction: 'reboot' }];
  return s.app.inject({ method: 'POST', url: '/api/v1/ingest', payload: signBody('ingest', { v: PROTOCOL_VERSION, batchId: randomUUID(), hostKey: key.publicKey, sentAt: at, samples: [], events } as never, key.privateKey) });
}

/** Two nodes in a Frankfurt zone (one measured there, one with a failing GPU) and one outside it. */
async function fleet() {
  const zone = (await call('POST', '/api/v1/zones', { name: 'fra', claimedCountry: 'DE' })).json() as { id: string };
  const a = await enrollAgent(s, owner, { name: 'fra-01', claimedCountry: 'DE', zoneId: zone.id, gpus: [{ uuid: 'GPU-a0', serial: '1650000000001' }, { uuid: 'GPU-a1', serial: '1650000000002' }] });
  const b = await enrollAgent(s, owner, { name: '=HYPERLINK("http://x")', claimedCountry: 'DE', zoneId: zone.id, gpus: [{ uuid: 'GPU-b0', serial: '1650000000003' }] });
  const c = await enrollAgent(s, owner, { name: 'lon-01', gpus: [] });
  await call('POST', '/api/v1/measurements', { measurements: LANDMARKS.map((l) => measurementOf(l, a.key.publicKey, { lat: 50.1, lon: 8.7 }, s.clock.now())) });
  const u = await unhealthy(b.key, "GPU-b0");
  expect(u.statusCode, u.body).toBe(200);
  return { zone, a, b, c };
}

const serverKey = async () => ((await s.app.inject({ method: 'GET', url: '/.well-known/locus-report-key' })).json() as ReportKey).publicKey;

describe('signed reports', () => {
  it('make a CSV with one row per GPU, its health and its node verdict, that verifies under the published key', async () => {
    const { a, zone } = await fleet();
    const { entry, file, signature, contentType } = await report({ format: 'csv' });
    expect(contentType).toBe('text/csv; charset=utf-8');
    const check = checkReport(file, signature, [await serverKey()]);
    expect(check).toMatchObject({ ok: true, statement: { reportId: entry.id, orgId: 'org-a', report: 'fleet', format: 'csv', zoneId: null, bytes: file.byteLength } });
    const rows = parse(file, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.node_name, r.gpu_uuid, r.gpu_health])).toEqual([
      [`'=HYPERLINK("http://x")`, 'GPU-b0', 'unhealthy'],
      ['fra-01', 'GPU-a0', 'healthy'],
      ['fra-01', 'GPU-a1', 'healthy'],
      ['lon-01', '', ''],
    ]);
    expect(rows[1]).toMatchObject({ node_id: a.nodeId, zone_id: zone.id, zone_name: 'fra', claimed_country: 'DE', restricted: 'excluded', claim: 'verified', agent_version: '0.1.0', gpu_model: 'NVIDIA H100 80GB HBM3', gpu_serial: '1650000000001' });
    expect(rows[0]).toMatchObject({ restricted: 'none', claim: '' });
  });

  it('filter by zone in JSON, with a summary of what is in it', async () => {
    const { zone } = await fleet();
    const { file, signature } = await report({ format: 'json', zoneId: zone.id });
    expect(checkReport(file, signature, [await serverKey()])).toMatchObject({ ok: true, statement: { format: 'json', zoneId: zone.id } });
    const json = JSON.parse(file.toString('utf8')) as { zone: { name: string }; summary: { nodes: number; gpus: { total: number; health: Record<string, number> }; verdicts: Record<string, number> }; nodes: { name: string; agentVersion: string | null; verdict: { restricted: string } | null }[] };
    expect(json.zone.name).toBe('fra');
    expect(json.nodes.map((n) => n.name)).toEqual(['=HYPERLINK("http://x")', 'fra-01']);
    expect(json.summary).toMatchObject({ nodes: 2, gpus: { total: 3, health: { healthy: 2, unhealthy: 1 } }, verdicts: { excluded: 1, none: 1 }, agentVersions: { '0.1.0': 2 } });
    expect(json.nodes.map((n) => n.agentVersion)).toEqual(['0.1.0', '0.1.0']);
    expect(json.nodes[1]!.verdict?.restricted).toBe('excluded');
  });

  it('count a GPU known only from health reports (it fell off the bus before the inventory), named as such', async () => {
    const { b } = await fleet();
    expect((await unhealthy(b.key, 'GPU-gone')).statusCode).toBe(200);
    const summary = (await call('GET', '/api/v1/fleet/summary')).json() as { gpus: { total: number; health: Record<string, number>; byModel: Record<string, number> } };
    expect(summary.gpus).toMatchObject({ total: 4, health: { unhealthy: 2 }, byModel: { '(not in inventory)': 1 } });
    const { file } = await report({ format: 'csv' });
    const rows = parse(file, { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.gpu_uuid === 'GPU-gone')).toMatchObject({ gpu_model: '(not in inventory)', gpu_health: 'unhealthy', gpu_first_seen: '', gpu_last_seen: '' });
  });

  it('say when each node last reported, and since when a GPU has been missing from its inventory', async () => {
    const { a, b } = await fleet();
    const reported = s.clock.now().toISOString();
    s.clock.advance(60_000);
    // fra-01's GPU-a1 goes: its agent sends an inventory without it.
    const gone = s.clock.now().toISOString();
    const events = [{ kind: 'inventory', id: randomUUID(), at: gone, inventory: hostInventory([{ uuid: 'GPU-a0', serial: '1650000000001' }]) }];
    const sent = await s.app.inject({ method: 'POST', url: '/api/v1/ingest', payload: signBody('ingest', { v: PROTOCOL_VERSION, batchId: randomUUID(), hostKey: a.key.publicKey, sentAt: gone, samples: [], events } as never, a.key.privateKey) });
    expect(sent.statusCode).toBe(200);
    const rows = parse((await report({ format: 'csv' })).file, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.node_name, r.gpu_uuid, r.last_report_at, r.gpu_missing_since])).toEqual([
      [`'=HYPERLINK("http://x")`, 'GPU-b0', reported, ''],
      ['fra-01', 'GPU-a0', gone, ''],
      ['fra-01', 'GPU-a1', gone, gone],
      ['lon-01', '', '', ''],
    ]);
    const json = JSON.parse((await report({ format: 'json' })).file.toString('utf8')) as { nodes: { id: string; lastReportAt: string | null; gpus: { uuid: string; missingSince: string | null }[] }[] };
    expect(json.nodes.map((n) => [n.lastReportAt, n.gpus.map((g) => [g.uuid, g.missingSince])])).toEqual([
      [reported, [['GPU-b0', null]]],
      [gone, [['GPU-a0', null], ['GPU-a1', gone]]],
      [null, []],
    ]);
    expect(json.nodes[0]!.id).toBe(b.nodeId);
  });

  it('do not verify when a byte, the statement or the key differs', async () => {
    await fleet();
    const { file, signature } = await report({});
    const key = await serverKey();
    const altered = Buffer.from(file);
    altered[altered.length - 2] = altered.at(-2)! ^ 1;
    expect(checkReport(altered, signature, [key])).toEqual({ ok: false, problems: ['the file differs from the one signed (SHA-256 mismatch)'] });
    expect(checkReport(Buffer.concat([file, Buffer.from('x')]), signature, [key])).toMatchObject({ ok: false, problems: [expect.stringMatching(/^the file has \d+ bytes; the signature is for \d+$/)] });
    expect(checkReport(file, { ...(signature as object), orgId: 'org-b' }, [key])).toMatchObject({ ok: false, problems: [expect.stringMatching(/^the signature does not match the statement/)] });
    const other = generateSigningKey();
    expect(checkReport(file, signature, [other.publicKey])).toMatchObject({ ok: false, problems: [expect.stringMatching(/^signed by key \S+, which is not the key you trust/)] });
    const forged = signReport(file, { reportId: 'r', orgId: 'org-a', report: 'fleet', format: 'csv', zoneId: null, createdAt: new Date().toISOString() }, other);
    expect(checkReport(file, forged, [key]).ok).toBe(false);
    expect(checkReport(file, { nonsense: true }, [key])).toMatchObject({ ok: false, problems: [expect.stringMatching(/^not a Locus report signature/)] });
  });

  it('are signed by one key shared by every replica on the database, and listed newest first', async () => {
    const replica = await buildApp({ storage: s.storage, world, config: DEFAULT_SERVER_CONFIG, clock: s.clock });
    try {
      const first = await report({ format: 'json' });
      s.clock.advance(1000);
      const second = await replica.inject({ method: 'POST', url: '/api/v1/reports', headers: owner, payload: { format: 'csv' } });
      expect((second.json() as Entry).publicKey).toBe(first.entry.publicKey);
      expect(((await replica.inject({ method: 'GET', url: '/.well-known/locus-report-key' })).json() as ReportKey).publicKey).toBe(first.entry.publicKey);
      const list = (await call('GET', '/api/v1/reports')).json() as { reports: Entry[] };
      expect(list.reports.map((r) => r.format)).toEqual(['csv', 'json']);
    } finally {
      await replica.close();
    }
  });

  it("are open to auditors to read, not to make (a report made now is the live inventory), closed to other orgs, and refuse an unknown zone or format", async () => {
    const { zone } = await fleet();
    const auditor = await s.tokenFor('org-a', 'auditor');
    const { entry } = await report({ format: 'csv' });
    const file = (await call('GET', entry.file, undefined, auditor)).rawPayload;
    const signature = (await call('GET', entry.signature, undefined, auditor)).json() as unknown;
    expect(checkReport(file, signature, [await serverKey()]).ok).toBe(true);
    expect(((await call('GET', '/api/v1/reports', undefined, auditor)).json() as { reports: Entry[] }).reports.map((r) => r.id)).toContain(entry.id);
    expect((await call('POST', '/api/v1/reports', { format: 'csv' }, auditor)).json()).toMatchObject({ statusCode: 403, code: 'LOCUS_ERR_FORBIDDEN', message: expect.stringMatching(/lacks the permission fleet:read/) });
    expect((await call('GET', '/api/v1/nodes', undefined, auditor)).statusCode).toBe(403);
    const other = await s.tokenFor('org-b', 'owner');
    expect((await call('GET', entry.file, undefined, other)).statusCode).toBe(404);
    expect((await call('GET', entry.signature, undefined, other)).statusCode).toBe(404);
    expect(((await call('GET', '/api/v1/reports', undefined, other)).json() as { reports: unknown[] }).reports).toEqual([]);
    expect((await call('POST', '/api/v1/reports', { zoneId: zone.id }, other)).json()).toMatchObject({ statusCode: 404, code: 'LOCUS_ERR_NOT_FOUND' });
    expect((await call('POST', '/api/v1/reports', { format: 'xlsx' })).json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION' });
    expect((await call('POST', '/api/v1/reports', {}, { authorization: 'Bearer nope' })).statusCode).toBe(401);
  });
});
