import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION, generateSigningKey, signBody, type SigningKey, type VerdictRecord } from '@locus/protocol';
import { RESTRICTED_RESOLVE_AFTER_MS } from './alerts/conditions.js';
import { Alerting, DEFAULT_ALERTING, GROUP_MAX_CHANGES, toldBy, webhookSignature } from './alerts/engine.js';
import { buildApp } from './app.js';
import { DEFAULT_ORG, DEFAULT_SERVER_CONFIG } from './config.js';
import { reposOf } from './repos.js';
import { enrollAgent, gpuReadings, hostInventory, landmark, measurementOf, testServer, world, type TestLandmark, type TestServer } from './test-support.js';

const LANDMARKS = [landmark('sin-1', 'SG', 1.3521, 103.8198), landmark('tyo-1', 'JP', 35.6762, 139.6503), landmark('fra-1', 'DE', 50.1109, 8.6821), landmark('bom-1', 'IN', 19.076, 72.8777), landmark('kul-1', 'MY', 3.139, 101.6869)];
const SINGAPORE = { lat: 1.3, lon: 103.8 };
const SHENZHEN = { lat: 22.54, lon: 114.06 };
const FRANKFURT = { lat: 50.11, lon: 8.68 };

let s: TestServer;
let owner: { authorization: string };
let receiver: Server | undefined;
beforeEach(async () => {
  // Webhook receivers of these tests listen on loopback, which the operator allows here.
  s = await testServer('sqlite::memory:', { webhookAllow: ['127.0.0.1'] });
  owner = await s.tokenFor('org-a', 'owner');
  await s.registerLandmarks(LANDMARKS.map((l) => l.info));
});
afterEach(async () => {
  await s.close();
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  receiver = undefined;
});

const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object, headers = owner) => s.app.inject(payload === undefined ? { method, url, headers } : { method, url, headers, payload });
const alerts = async (state?: string) => ((await call('GET', `/api/v1/alerts${state ? `?state=${state}` : ''}`)).json() as { alerts: { id: string; kind: string; severity: string; state: string; nodeId: string | null; summary: string; muted: unknown }[] }).alerts;

async function node(name: string): Promise<{ id: string; key: SigningKey }> {
  const key = generateSigningKey();
  const n = (await call('POST', '/api/v1/nodes', { name, hostKey: key.publicKey, claimedCountry: 'SG' })).json() as { id: string };
  return { id: n.id, key };
}
const measure = (key: SigningKey, at: { lat: number; lon: number }, padMs = 0) => call('POST', '/api/v1/measurements', { measurements: LANDMARKS.map((l) => measurementOf(l, key.publicKey, at, s.clock.now(), padMs)) });

/** A webhook receiver answering with the statuses given in turn (then 200), keeping what it got. */
async function hook(statuses: number[], userinfo = '') {
  const got: { body: string; signature: string | undefined; event: string | undefined; authorization?: string | undefined }[] = [];
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ body, signature: req.headers['x-locus-signature'] as string | undefined, event: req.headers['x-locus-event'] as string | undefined, authorization: req.headers.authorization });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
  const created = (await call('POST', '/api/v1/webhooks', { url: `http://${userinfo}127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` })).json() as { id: string; secret: string; url: string };
  return { ...created, got };
}

describe('alerts', () => {
  it('fire for a node whose restricted verdict is possible, and resolve once its measurements have excluded them for a while', async () => {
    const n = await node('sg-7');
    await measure(n.key, SHENZHEN, 10);
    expect(await alerts('firing')).toEqual([expect.objectContaining({ kind: 'restricted', severity: 'warning', state: 'firing', summary: expect.stringMatching(/^sg-7: restricted countries possible \(.*CN.*\)/) })]);
    const possibleAt = s.clock.now().getTime();
    s.clock.advance(1000);
    await measure(n.key, SINGAPORE);
    // Measured again within the verdict interval: judged again at its end (the loop's run), not at once.
    expect(await alerts('firing')).toHaveLength(1);
    s.clock.advance(DEFAULT_SERVER_CONFIG.verdictIntervalMs - 1000);
    expect(await s.app.verification.refreshExpired(1000)).toBe(1);
    expect((await call('GET', `/api/v1/nodes/${n.id}/verdict`)).json()).toMatchObject({ verdict: { restricted: 'excluded' } });
    // Excluded again, but only lately: a region near a border can flip with jitter, so the alert holds.
    const until = new Date(possibleAt + RESTRICTED_RESOLVE_AFTER_MS).toISOString();
    expect(await alerts('firing')).toEqual([expect.objectContaining({ kind: 'restricted', summary: `sg-7: restricted countries excluded again since a judgement after ${new Date(possibleAt).toISOString()}; this resolves if they stay excluded until ${until}` })]);
    s.clock.advance(RESTRICTED_RESOLVE_AFTER_MS - DEFAULT_SERVER_CONFIG.verdictIntervalMs - 1);
    await measure(n.key, SINGAPORE);
    await s.app.alerting.sweep(['org-a']);
    expect(await alerts('firing')).toHaveLength(1);
    s.clock.advance(1);
    await s.app.alerting.sweep(['org-a']);
    expect(await alerts('firing')).toEqual([]);
    expect(await alerts('resolved')).toEqual([expect.objectContaining({ kind: 'restricted', state: 'resolved' })]);
    // A node that never fired does not start to because its verdict was possible lately.
    const quiet = await node('sg-9');
    await measure(quiet.key, SINGAPORE);
    await s.app.alerting.sweep(['org-a']);
    expect((await alerts('firing')).filter((a) => a.summary.startsWith('sg-9'))).toEqual([]);
  });

  it('fire when one key answers from two places at once (a copied identity), with a verdict note, until those measurements age out', async () => {
    const n = await node('sg-8');
    const [sin, tyo, fra, bom] = LANDMARKS as [TestLandmark, TestLandmark, TestLandmark, TestLandmark];
    const now = s.clock.now();
    await call('POST', '/api/v1/measurements', { measurements: [measurementOf(sin, n.key.publicKey, SINGAPORE, now), measurementOf(bom, n.key.publicKey, SINGAPORE, now), measurementOf(tyo, n.key.publicKey, SINGAPORE, now), measurementOf(fra, n.key.publicKey, FRANKFURT, now)] });
    const verdict = (await call('GET', `/api/v1/nodes/${n.id}/verdict`)).json() as { notes: { kind: string; message: string; evidence: { gapKm: number } }[] };
    // Only sin-1 and fra-1 contradict each other (the far landmarks' regions reach both places): no landmark is singled out.
    expect(verdict.notes).toEqual([expect.objectContaining({ kind: 'impossible-travel', message: expect.stringMatching(/^answered fra-1 in [\d.]+ ms and sin-1 in [\d.]+ ms within 1 min: no single host can be near both/) })]);
    expect(verdict.notes[0]!.evidence.gapKm).toBeGreaterThan(8000);
    // The empty region raises what its record says too: restricted countries possible, the claim contradicted.
    expect((await alerts('firing')).map((a) => a.kind).sort()).toEqual(['claim-contradicted', 'empty-region', 'impossible-travel', 'restricted']);
    expect((await alerts('firing')).filter((a) => a.kind === 'restricted' || a.kind === 'claim-contradicted')).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'restricted', severity: 'warning', summary: expect.stringMatching(/^sg-8: restricted countries possible.*: its measurements fit no single place$/) }),
      expect.objectContaining({ kind: 'claim-contradicted', severity: 'critical', summary: 'sg-8: claims SG: its measurements fit no single place' }),
    ]));
    s.clock.advance(7 * 3600_000);
    await measure(n.key, SINGAPORE);
    expect(await alerts('firing')).toEqual([]);
    expect(((await call('GET', `/api/v1/nodes/${n.id}/verdict`)).json() as { notes: unknown[] }).notes).toEqual([]);
  });

  it('blame a landmark, in the operator\'s org, when it alone empties the regions of two nodes, and stop when it no longer does', async () => {
    const [sin, tyo, fra, bom, kul] = LANDMARKS as [TestLandmark, TestLandmark, TestLandmark, TestLandmark, TestLandmark];
    const operator = await s.tokenFor(DEFAULT_ORG, 'owner');
    const landmarkAlerts = async (state: string) => ((await call('GET', `/api/v1/alerts?state=${state}`, undefined, operator)).json() as { alerts: { kind: string; nodeId: string | null; summary: string }[] }).alerts;
    // fra-1 is registered in Frankfurt but answers as if it stood next to Singapore; sin-1 and kul-1 both place the hosts there.
    const skewed = async (n: { key: SigningKey }) => {
      const now = s.clock.now();
      await call('POST', '/api/v1/measurements', { measurements: [measurementOf(sin, n.key.publicKey, SINGAPORE, now), measurementOf(kul, n.key.publicKey, SINGAPORE, now), measurementOf(bom, n.key.publicKey, SINGAPORE, now), measurementOf(tyo, n.key.publicKey, SINGAPORE, now), measurementOf(fra, n.key.publicKey, FRANKFURT, now)] });
    };
    const first = await node('sg-1');
    await skewed(first);
    await s.app.alerting.sweep(['org-a', DEFAULT_ORG]);
    // One node alone could be a copied key answering from two places: no landmark is blamed yet.
    expect(await landmarkAlerts('firing')).toEqual([]);
    expect((await alerts('firing')).find((a) => a.kind === 'empty-region')?.summary).toMatch(/^sg-1: its measurements fit no single place: .* but do without fra-1's/);
    await skewed(await node('sg-2'));
    await s.app.alerting.sweep(['org-a']);
    expect(await landmarkAlerts('firing')).toEqual([]);
    await s.app.alerting.sweep(['org-a', DEFAULT_ORG]);
    expect(await landmarkAlerts('firing')).toEqual([
      expect.objectContaining({ kind: 'landmark-inconsistent', nodeId: null, summary: expect.stringMatching(/^landmark fra-1: its measurements alone contradict the other landmarks' for 2 nodes \(sg-1, sg-2\)/) }),
    ]);
    // The org's own alerts never show the operator's landmark alert.
    expect((await alerts('firing')).map((a) => a.kind)).not.toContain('landmark-inconsistent');
    s.clock.advance(7 * 3600_000);
    await measure(first.key, SINGAPORE);
    await s.app.alerting.sweep(['org-a', DEFAULT_ORG]);
    expect(await landmarkAlerts('firing')).toEqual([]);
    expect(await landmarkAlerts('resolved')).toEqual([expect.objectContaining({ kind: 'landmark-inconsistent' })]);
  });

  it("call a landmark silent, in the operator's org, once none of its measurements has been stored for 15 minutes (or none ever while others deliver), until it delivers or is revoked", async () => {
    const operator = await s.tokenFor(DEFAULT_ORG, 'owner');
    const silent = async (state = 'firing') =>
      ((await call('GET', `/api/v1/alerts?state=${state}`, undefined, operator)).json() as { alerts: { kind: string; severity: string; nodeId: string | null; summary: string }[] }).alerts.filter((a) => a.kind === 'landmark-silent');
    const status = async () => ((await call('GET', '/api/v1/landmarks/status', undefined, operator)).json() as { silentAfterS: number; landmarks: { id: string; silent: boolean }[] });
    const n = await node('sg-1');
    const by = (ids: string[], extra: TestLandmark[] = []) =>
      call('POST', '/api/v1/measurements', { measurements: [...LANDMARKS, ...extra].filter((l) => ids.includes(l.info.id)).map((l) => measurementOf(l, n.key.publicKey, SINGAPORE, s.clock.now())) });
    const allBut = (id: string) => LANDMARKS.map((l) => l.info.id).filter((x) => x !== id);
    expect((await by(allBut('none'))).statusCode).toBe(200);
    const fraLast = s.clock.now().toISOString();
    // fra-1 stops; the others go on every few minutes.
    for (const minutes of [5, 5, 5]) {
      s.clock.advance(minutes * 60_000);
      await by(allBut('fra-1'));
      await s.app.alerting.checkSilence();
      expect(await silent()).toEqual([]);
    }
    s.clock.advance(1);
    await s.app.alerting.checkSilence();
    expect(await silent()).toEqual([
      expect.objectContaining({ kind: 'landmark-silent', severity: 'warning', nodeId: null, state: 'firing', summary: expect.stringMatching(new RegExp(`^landmark fra-1 \\(fra-1, DE\\): no measurement stored for over 15 min \\(the newest taken ${fraLast.replace(/\./g, '\\.')}\\); it is down`)) }),
    ]);
    expect(await status()).toMatchObject({ silentAfterS: 900, landmarks: expect.arrayContaining([{ id: 'fra-1', name: 'fra-1', country: 'DE', registeredAt: expect.any(String), lastMeasurementAt: fraLast, lastRefusal: null, refused: false, silent: true, version: null }, expect.objectContaining({ id: 'sin-1', silent: false })]) });
    // The organizations whose nodes it measured never see the operator's landmark alert.
    expect((await alerts('firing')).map((a) => a.kind)).not.toContain('landmark-silent');
    // It delivers again: resolved at the next check (every 15 s).
    await by(['fra-1']);
    await s.app.alerting.checkSilence();
    expect(await silent()).toEqual([]);
    expect(await silent('resolved')).toHaveLength(1);

    // A landmark registered now and never heard from: not silent until it has been registered 15 minutes while others deliver.
    const ams = landmark('ams-1', 'NL', 52.37, 4.9);
    await s.registerLandmarks([ams.info]);
    s.clock.advance(10 * 60_000);
    await by(allBut('none'));
    await s.app.alerting.sweep([DEFAULT_ORG]);
    expect(await silent()).toEqual([]);
    s.clock.advance(5 * 60_000 + 1);
    await s.app.alerting.checkSilence();
    expect((await silent()).map((a) => a.summary)).toEqual([expect.stringMatching(/^landmark ams-1 \(ams-1, NL\): none of its measurements stored yet, while other landmarks deliver; it is down, /)]);
    // It delivers, but signs another place than its registered one: the server says so. A forgery
    // in its name (another key) is refused too, but is no refusal of its own and changes nothing.
    const moved = { ...ams, info: { ...ams.info, lat: 52.0 } };
    expect(((await by(['ams-1'], [moved])).json() as { rejected: { code: string }[] }).rejected).toEqual([expect.objectContaining({ code: 'LOCUS_ERR_MEASUREMENT_SIGNATURE' })]);
    s.clock.advance(1000);
    const forger = { ...ams, key: generateSigningKey() };
    expect(((await by(['ams-1'], [forger])).json() as { rejected: { code: string }[] }).rejected).toEqual([expect.objectContaining({ code: 'LOCUS_ERR_MEASUREMENT_SIGNATURE' })]);
    await s.app.alerting.checkSilence();
    expect((await silent()).map((a) => a.summary)).toEqual([
      expect.stringMatching(/^landmark ams-1 \(ams-1, NL\): none of its measurements stored yet, while other landmarks deliver; its measurements are refused \(LOCUS_ERR_MEASUREMENT_SIGNATURE: landmark "ams-1" signed a place other than its registered one\), and/),
    ]);
    const refusal = (await status()).landmarks.find((l) => l.id === 'ams-1') as unknown as { lastRefusal: unknown; silent: boolean };
    expect(refusal).toMatchObject({ silent: true, refused: true, lastRefusal: { at: new Date(s.clock.now().getTime() - 1000).toISOString(), code: 'LOCUS_ERR_MEASUREMENT_SIGNATURE', message: 'landmark "ams-1" signed a place other than its registered one' } });
    // Revoked (a key it was never given, a place it is not at): its alert resolves, as it counts no more.
    expect((await call('DELETE', '/api/v1/landmarks/ams-1', undefined, operator)).statusCode).toBe(200);
    await s.app.alerting.checkSilence();
    expect(await silent()).toEqual([]);

    // A break of every server: after it, every landmark's newest is as old as the break, and no
    // landmark turns silent until the servers have been up 15 minutes; one silent before stays so.
    s.clock.advance(10 * 60_000);
    await by(allBut('sin-1'));
    s.clock.advance(10 * 60_000);
    await s.app.alerting.checkSilence();
    expect((await silent()).map((a) => a.summary.split(' ')[1])).toEqual(['sin-1']);
    s.clock.advance(20 * 60_000);
    s.app.alerting.upSince(s.clock.now().getTime());
    await s.app.alerting.checkSilence();
    expect((await silent()).map((a) => a.summary.split(' ')[1])).toEqual(['sin-1']);
    // Landmarks deliver within a minute of the servers' return; bom-1 does not.
    s.clock.advance(60_000);
    await by(allBut('bom-1'));
    s.clock.advance(14 * 60_000);
    await s.app.alerting.checkSilence();
    expect(await silent()).toEqual([]);
    s.clock.advance(1);
    await s.app.alerting.checkSilence();
    expect((await silent()).map((a) => a.summary.split(' ')[1])).toEqual(['bom-1']);
  });

  it('tell a webhook, signed, retrying after a failure, and keep a delivery log', async () => {
    const h = await hook([500]);
    const n = await node('sg-7');
    await measure(n.key, SHENZHEN, 10);
    await s.app.alerting.dispatch();
    expect(h.got).toHaveLength(1);
    s.clock.advance(60_000);
    await s.app.alerting.dispatch();
    expect(h.got).toHaveLength(2);
    for (const g of h.got) expect(g.signature).toBe(webhookSignature(h.secret, g.body));
    expect(JSON.parse(h.got[1]!.body)).toMatchObject({ event: 'fired', alert: { kind: 'restricted', state: 'firing' } });
    const log = (await call('GET', `/api/v1/webhooks/${h.id}/deliveries`)).json() as { deliveries: { status: string; attempts: number; lastStatusCode: number }[] };
    expect(log.deliveries).toEqual([expect.objectContaining({ status: 'delivered', attempts: 2, lastStatusCode: 200 })]);
  });

  it('show in the delivery log when each delivery was last tried and is tried next, a page at a time, of one status or all; finished ones leave it after the retention', async () => {
    const h = await hook([500, 500]);
    const started = s.clock.now().getTime();
    const n = await node('sg-7');
    await measure(n.key, SHENZHEN, 10);
    await s.app.alerting.dispatch();
    type Logged = { id: string; status: string; attempts: number; lastAttemptAt: string | null; nextAttemptAt: string | null; createdAt: string };
    const log = async (query = '') => (await call('GET', `/api/v1/webhooks/${h.id}/deliveries${query}`)).json() as { deliveries: Logged[]; next: string | null };
    const [pending] = (await log()).deliveries;
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, lastAttemptAt: s.clock.now().toISOString() });
    // Retried after 2.5 to 5 s (the first wait, jittered).
    const next = Date.parse(pending!.nextAttemptAt!) - Date.parse(pending!.lastAttemptAt!);
    expect(next).toBeGreaterThanOrEqual(2_500);
    expect(next).toBeLessThanOrEqual(5_000);
    // Three tests: failed (the second 500), delivered, delivered.
    for (let i = 0; i < 3; i++) {
      s.clock.advance(1_000);
      await call('POST', `/api/v1/webhooks/${h.id}/test`);
    }
    const first = await log('?limit=2');
    expect(first.deliveries.map((d) => [d.status, d.nextAttemptAt])).toEqual([
      ['delivered', null],
      ['delivered', null],
    ]);
    const second = await log(`?limit=2&before=${first.next}`);
    expect(second.deliveries.map((d) => d.status)).toEqual(['failed', 'pending']);
    expect((await log(`?limit=2&before=${second.next}`)).deliveries).toEqual([]);
    expect((await log('?status=failed')).deliveries.map((d) => d.lastAttemptAt)).toEqual([new Date(started + 1_000).toISOString()]);
    expect((await call('GET', `/api/v1/webhooks/${h.id}/deliveries?before=yesterday`)).json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION' });
    expect((await call('GET', `/api/v1/webhooks/${h.id}/deliveries?status=lost`)).statusCode).toBe(400);
    // 30 days after the last, the retention pass deletes the finished ones; the pending one stays until it finishes.
    s.clock.advance(30 * 86_400_000 + 1);
    expect(await s.app.retention.run(10_000)).toMatchObject({ deliveries: 3 });
    expect((await log()).deliveries.map((d) => d.id)).toEqual([pending!.id]);
  });

  it("send a failed delivery again on request, once, as it was; but not one a later delivery of its alert followed, nor one not failed", async () => {
    // Down for every retry and the first time it is sent again; then back.
    const h = await hook(Array.from({ length: DEFAULT_ALERTING.maxAttempts + 1 }, () => 503));
    const repo = reposOf(s.storage).alerts;
    const n = await node('sg-7');
    await measure(n.key, SHENZHEN, 10);
    // The receiver is down for longer than the retries: the delivery fails.
    for (let i = 0; i < 20; i++) {
      await s.app.alerting.dispatch();
      s.clock.advance(3_600_000);
    }
    const [failed] = (await call('GET', `/api/v1/webhooks/${h.id}/deliveries`)).json().deliveries as { id: string; status: string; attempts: number }[];
    expect(failed).toMatchObject({ status: 'failed', attempts: DEFAULT_ALERTING.maxAttempts });
    const again = (id: string, headers = owner) => call('POST', `/api/v1/webhooks/${h.id}/deliveries/${id}/redeliver`, undefined, headers);
    // Still down: tried once, failed again.
    h.got.length = 0;
    expect((await again(failed!.id)).json()).toMatchObject({ id: failed!.id, status: 'failed', attempts: DEFAULT_ALERTING.maxAttempts + 1, lastStatusCode: 503 });
    expect(h.got).toHaveLength(1);
    // Back: delivered, with the delivery's id and body, signed.
    h.got.length = 0;
    const stored = await repo.delivery(failed!.id);
    expect((await again(failed!.id)).json()).toMatchObject({ id: failed!.id, status: 'delivered', lastStatusCode: 200, nextAttemptAt: null });
    expect(h.got).toEqual([expect.objectContaining({ body: stored!.body, signature: webhookSignature(h.secret, stored!.body), event: 'fired' })]);
    // Not failed now: refused, and nothing sent.
    expect((await again(failed!.id)).json()).toMatchObject({ statusCode: 409, code: 'LOCUS_ERR_CONFLICT', message: expect.stringContaining('is delivered: only a failed delivery is sent again') });
    // A failed fired, then a resolved of the same alert: the fired may not follow the resolved.
    await repo.recordAttempt(failed!.id, { status: 'failed', attempts: 15, next_attempt_at: 0, last_status_code: 503, last_error: 'HTTP 503', delivered_at: null, last_attempt_at: 0 });
    await measure(n.key, SINGAPORE);
    await s.app.alerting.dispatch();
    const resolved = (await call('GET', `/api/v1/webhooks/${h.id}/deliveries`)).json().deliveries[0] as { id: string; event: string };
    expect(resolved.event).toBe('resolved');
    h.got.length = 0;
    expect((await again(failed!.id)).json()).toMatchObject({ statusCode: 409, message: expect.stringContaining(`delivery ${resolved.id} (resolved, delivered), made later, told this alert in a newer state`) });
    expect(h.got).toEqual([]);
    // Only a manager of the webhook's org, and only a delivery of that webhook.
    expect((await again(failed!.id, await s.tokenFor('org-a', 'viewer'))).statusCode).toBe(403);
    expect((await again(failed!.id, await s.tokenFor('org-b', 'owner'))).statusCode).toBe(404);
    expect((await again('nope')).statusCode).toBe(404);
    const test = (await call('POST', `/api/v1/webhooks/${h.id}/test`)).json() as { id: string };
    await repo.recordAttempt(test.id, { status: 'failed', attempts: 1, next_attempt_at: 0, last_status_code: 503, last_error: 'HTTP 503', delivered_at: null, last_attempt_at: 0 });
    expect((await again(test.id)).json()).toMatchObject({ statusCode: 409, message: expect.stringContaining('is a test: send a new one') });
    // Groups: one may not follow a later delivery that told one of its alerts, whether alone or in a group.
    const now = s.clock.now().getTime();
    const group = (id: string, alertIds: string[], at: number, status: 'failed' | 'delivered') =>
      repo.enqueueDelivery({ id, webhook_id: h.id, alert_id: '', event: 'group', body: JSON.stringify({ event: 'group', changes: alertIds.map((a) => ({ event: 'fired', alert: { id: a } })) }), status, attempts: 14, next_attempt_at: 0, last_status_code: 503, last_error: 'HTTP 503', created_at: at, delivered_at: null, last_attempt_at: at, changes: alertIds.length }, alertIds);
    await group('g1', ['x1', 'x2'], now + 1, 'failed');
    await group('g2', ['x3', 'x2'], now + 2, 'delivered');
    await group('g3', ['x4'], now + 3, 'failed');
    expect((await again('g1')).json()).toMatchObject({ statusCode: 409, message: expect.stringContaining('delivery g2 (group, delivered), made later, told an alert of this group in a newer state') });
    // Left failed as it was, to be sent again by nobody.
    expect(await repo.delivery('g1')).toMatchObject({ status: 'failed', attempts: 14, next_attempt_at: 0 });
    await repo.recordAttempt('g2', { status: 'failed', attempts: 14, next_attempt_at: 0, last_status_code: 503, last_error: 'HTTP 503', delivered_at: null, last_attempt_at: now });
    expect((await again('g1')).json()).toMatchObject({ statusCode: 409, message: expect.stringContaining('delivery g2 (group, failed), made later, told an alert of this group in a newer state, which delivery g1 must not follow: send that one again instead') });
    expect((await again('g3')).json()).toMatchObject({ id: 'g3', event: 'group', status: 'delivered' });
  });

  it('go to the new address, signed with the new secret, once a webhook is changed: retries of deliveries already pending included', async () => {
    const h = await hook([500]);
    const n = await node('sg-7');
    await measure(n.key, SHENZHEN, 10);
    await s.app.alerting.dispatch();
    expect(h.got).toHaveLength(1);
    // A second receiver takes over, with a secret of the operator's choosing.
    const moved: { body: string; signature: string | undefined }[] = [];
    const other = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        moved.push({ body, signature: req.headers['x-locus-signature'] as string | undefined });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}/new`;
      const secret = 'a-new-secret-of-enough-length';
      const changed = await call('PATCH', `/api/v1/webhooks/${h.id}`, { url, secret });
      expect(changed.json()).toMatchObject({ id: h.id, url });
      expect(JSON.stringify(changed.json())).not.toContain(secret);
      s.clock.advance(60_000);
      await s.app.alerting.dispatch();
      expect(h.got).toHaveLength(1);
      expect(moved).toHaveLength(1);
      expect(moved[0]!.signature).toBe(webhookSignature(secret, moved[0]!.body));
      expect(JSON.parse(moved[0]!.body)).toMatchObject({ event: 'fired' });
      // Refused as a new webhook's would be.
      expect((await call('PATCH', `/api/v1/webhooks/${h.id}`, { secret: 'short' })).statusCode).toBe(400);
      expect((await call('PATCH', `/api/v1/webhooks/${h.id}`, { url: 'ftp://127.0.0.1/' })).statusCode).toBe(400);
      const tenant = await s.tokenFor('org-b', 'owner');
      const theirs = (await call('POST', '/api/v1/webhooks', { url: 'https://203.0.113.9/hook' }, tenant)).json() as { id: string };
      expect((await call('PATCH', `/api/v1/webhooks/${theirs.id}`, { url: 'http://10.1.2.3/hook' }, tenant)).json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_WEBHOOK_DESTINATION' });
      expect((await call('PATCH', `/api/v1/webhooks/${theirs.id}`, { url })).statusCode).toBe(404);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it("send each webhook's deliveries in order, webhooks side by side: a receiver that is slow or gone holds up its own alone, tried once a dispatch", async () => {
    const repos = reposOf(s.storage);
    const now = s.clock.now().getTime();
    await repos.orgs.ensure({ id: 'org-b', name: 'org-b', created_at: 0 });
    await repos.alerts.addWebhook({ id: 'gone', org_id: 'org-a', url: 'http://gone.example/hook', secret: 's', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null });
    await repos.alerts.addWebhook({ id: 'fine', org_id: 'org-b', url: 'http://fine.example/hook', secret: 's', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null });
    // The gone receiver's deliveries fell due first.
    for (const [hook, i] of [['gone', 1], ['gone', 2], ['gone', 3], ['fine', 4], ['fine', 5], ['fine', 6]] as const) {
      await repos.alerts.enqueueDelivery({ id: `${hook}-${i}`, webhook_id: hook, alert_id: `a${i}`, event: 'fired', body: '{}', status: 'pending', attempts: 0, next_attempt_at: now - 10 + i, last_status_code: null, last_error: null, created_at: now, delivered_at: null, last_attempt_at: null, changes: 1 });
    }
    const seen: string[] = [];
    // The gone receiver never answers: each attempt lasts until the time it is given runs out.
    const receiver: typeof fetch = (url, init) => {
      const id = new Headers(init?.headers).get('x-locus-delivery');
      seen.push(`sent ${id}`);
      if (String(url).includes('fine')) return Promise.resolve(new Response(null, { status: 204 }));
      return new Promise((_, reject) => init!.signal!.addEventListener('abort', () => (seen.push(`gave up ${id}`), reject(init!.signal!.reason as Error))));
    };
    const alerting = new Alerting(repos, s.clock, { ...DEFAULT_ALERTING, restricted: [], fetch: receiver, webhookTimeoutMs: 300 });
    await alerting.dispatch();
    expect(seen).toEqual(['sent gone-1', 'sent fine-4', 'sent fine-5', 'sent fine-6', 'gave up gone-1']);
    const log = async (hook: string) => (await repos.alerts.deliveries(hook, 10)).map((d) => [d.id, d.status, d.attempts, d.last_error]).sort();
    expect(await log('fine')).toEqual([['fine-4', 'delivered', 1, null], ['fine-5', 'delivered', 1, null], ['fine-6', 'delivered', 1, null]]);
    expect(await log('gone')).toEqual([['gone-1', 'pending', 1, 'the receiver did not answer within 0.3 s'], ['gone-2', 'pending', 0, null], ['gone-3', 'pending', 0, null]]);
    // The next dispatch tries the next of them; a server that stops cuts an attempt short, and records it.
    seen.length = 0;
    const slow = new Alerting(repos, s.clock, { ...DEFAULT_ALERTING, restricted: [], fetch: receiver, webhookTimeoutMs: 60_000 });
    const dispatched = slow.dispatch();
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await slow.close();
    await dispatched;
    expect(seen).toEqual(['sent gone-2', 'gave up gone-2']);
    expect(await log('gone')).toEqual([['gone-1', 'pending', 1, 'the receiver did not answer within 0.3 s'], ['gone-2', 'pending', 1, 'the server stopped during the attempt'], ['gone-3', 'pending', 0, null]]);
    await slow.dispatch();
    expect(seen).toHaveLength(2);
  });

  it("end an attempt at its deadline even when the request ignores its signal, so that one receiver cannot hold the dispatch", async () => {
    const repos = reposOf(s.storage);
    const now = s.clock.now().getTime();
    await repos.alerts.addWebhook({ id: 'deaf', org_id: 'org-a', url: 'http://deaf.example/hook', secret: 's', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null });
    await repos.alerts.enqueueDelivery({ id: 'deaf-1', webhook_id: 'deaf', alert_id: 'a', event: 'fired', body: '{}', status: 'pending', attempts: 0, next_attempt_at: now - 1, last_status_code: null, last_error: null, created_at: now, delivered_at: null, last_attempt_at: null, changes: 1 });
    // Never settles, whatever its signal says (a request stuck below fetch's abort handling).
    const deaf: typeof fetch = () => new Promise<Response>(() => {});
    const alerting = new Alerting(repos, s.clock, { ...DEFAULT_ALERTING, restricted: [], fetch: deaf, webhookTimeoutMs: 200 });
    await alerting.dispatch();
    expect((await repos.alerts.deliveries('deaf', 10)).map((d) => [d.id, d.status, d.attempts, d.last_error])).toEqual([['deaf-1', 'pending', 1, 'the receiver did not answer within 0.2 s']]);
  });

  it('drain a backlog in one dispatch, as fast as the receiver takes it (an alert for every node of a large fleet)', async () => {
    const repos = reposOf(s.storage);
    const now = s.clock.now().getTime();
    await repos.alerts.addWebhook({ id: 'w', org_id: 'org-a', url: 'http://fine.example/hook', secret: 's', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null });
    const ids = Array.from({ length: 250 }, (_, i) => `d-${String(i).padStart(3, '0')}`);
    for (const [i, id] of ids.entries()) await repos.alerts.enqueueDelivery({ id, webhook_id: 'w', alert_id: `alert-${id}`, event: 'fired', body: '{}', status: 'pending', attempts: 0, next_attempt_at: now - 1000 + i, last_status_code: null, last_error: null, created_at: now, delivered_at: null, last_attempt_at: null, changes: 1 });
    const seen: string[] = [];
    const receiver: typeof fetch = (_url, init) => {
      seen.push(new Headers(init?.headers).get('x-locus-delivery')!);
      return Promise.resolve(new Response(null, { status: 204 }));
    };
    await new Alerting(repos, s.clock, { ...DEFAULT_ALERTING, restricted: [], fetch: receiver }).dispatch();
    expect(seen).toEqual(ids);
    expect(await repos.alerts.dueDeliveries(now, 10)).toEqual([]);
  });

  it("reach public addresses only for an organization that is not the operator's, unless the operator allows more; the operator's reach any", async () => {
    const guarded = await testServer('sqlite::memory:', { webhookAllow: ['10.20.0.0/16'] });
    try {
      const add = async (org: string, url: string) => guarded.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: await guarded.tokenFor(org, 'owner'), payload: { url } });
      for (const url of ['http://127.0.0.1:9/hook', 'http://[::1]:9/hook', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/hook', 'http://[::ffff:192.168.1.1]/hook', 'http://localhost:9/hook']) {
        const refused = await add('org-a', url);
        expect(refused.statusCode, url).toBe(400);
        expect(refused.json()).toMatchObject({ code: 'LOCUS_ERR_WEBHOOK_DESTINATION', message: expect.stringMatching(/is not a public address: an organization's webhooks reach public addresses only, or in the ranges the operator allows \(10\.20\.0\.0\/16\)/) });
      }
      for (const url of ['http://10.20.3.4/hook', 'https://203.0.113.9/hook']) expect((await add('org-a', url)).statusCode, url).toBe(201);
      expect((await add(DEFAULT_ORG, 'http://127.0.0.1:9/hook')).statusCode).toBe(201);

      // A receiver on loopback: the operator's webhook gets its delivery, another organization's is refused as it connects.
      const got: string[] = [];
      receiver = createServer((req, res) => {
        got.push(String(req.headers['x-locus-delivery']));
        res.writeHead(204).end();
      });
      await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
      const port = (receiver.address() as AddressInfo).port;
      const repos = reposOf(guarded.storage);
      const now = guarded.clock.now().getTime();
      // Added past the API (as if the name had resolved elsewhere when it was added).
      for (const [id, org, host] of [['operator', DEFAULT_ORG, '127.0.0.1'], ['tenant', 'org-a', 'localhost'], ['tenant-ip', 'org-a', '127.0.0.1']] as const) {
        await repos.alerts.addWebhook({ id, org_id: org, url: `http://${host}:${port}/hook`, secret: 's', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null });
        await repos.alerts.enqueueDelivery({ id: `d-${id}`, webhook_id: id, alert_id: 'a', event: 'fired', body: '{}', status: 'pending', attempts: 0, next_attempt_at: now, last_status_code: null, last_error: null, created_at: now, delivered_at: null, last_attempt_at: null, changes: 1 });
      }
      await guarded.app.alerting.dispatch();
      expect(got).toEqual(['d-operator']);
      expect((await repos.alerts.deliveries('operator', 1))[0]).toMatchObject({ status: 'delivered', last_status_code: 204 });
      expect((await repos.alerts.deliveries('tenant', 1))[0]).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null, last_error: expect.stringMatching(/^localhost \(.*127\.0\.0\.1.*\) is not a public address/) });
      expect((await repos.alerts.deliveries('tenant-ip', 1))[0]).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringMatching(/^127\.0\.0\.1 is not a public address/) });
    } finally {
      await guarded.close();
    }
  });

  it('send a test delivery on request, signed as any other, once, and keep it in the log', async () => {
    const h = await hook([500]);
    const test = async (headers = owner) => call('POST', `/api/v1/webhooks/${h.id}/test`, undefined, headers);
    const failed = await test();
    expect(failed.statusCode).toBe(200);
    expect(failed.json()).toMatchObject({ alertId: null, event: 'test', status: 'failed', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500', deliveredAt: null });
    const delivered = (await test()).json() as { id: string; status: string; lastStatusCode: number };
    expect(delivered).toMatchObject({ status: 'delivered', lastStatusCode: 200 });
    expect(h.got).toHaveLength(2);
    for (const g of h.got) {
      expect(g.event).toBe('test');
      expect(g.signature).toBe(webhookSignature(h.secret, g.body));
      expect(JSON.parse(g.body)).toMatchObject({ event: 'test', webhookId: h.id, sentAt: s.clock.now().toISOString() });
    }
    // Not retried, by the loop or anyone.
    s.clock.advance(3600_000);
    await s.app.alerting.dispatch();
    expect(h.got).toHaveLength(2);
    const log = (await call('GET', `/api/v1/webhooks/${h.id}/deliveries`)).json() as { deliveries: { id: string; event: string; status: string }[] };
    expect(log.deliveries.map((d) => [d.event, d.status]).sort()).toEqual([['test', 'delivered'], ['test', 'failed']]);
    expect((await test(await s.tokenFor('org-a', 'viewer'))).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/webhooks/nope/test')).statusCode).toBe(404);
  });

  it("send a receiver's basic-auth credentials given in its address, and never show the password again", async () => {
    const h = await hook([], 'ops:hunter2@');
    expect(h.url).toMatch(/^http:\/\/ops:\*\*\*@127\.0\.0\.1:\d+\/hook$/);
    const listed = (await call('GET', '/api/v1/webhooks')).json() as { webhooks: { url: string }[] };
    expect(listed.webhooks.map((w) => w.url)).toEqual([h.url]);
    expect((await call('POST', `/api/v1/webhooks/${h.id}/test`)).json()).toMatchObject({ status: 'delivered' });
    expect(h.got[0]?.authorization).toBe(`Basic ${Buffer.from('ops:hunter2').toString('base64')}`);
    expect(JSON.stringify(listed)).not.toContain('hunter2');
  });

  it('fire for a node that stopped answering landmarks: its verdict is judged again as its bounds grow, then on nothing once they have left the window', async () => {
    const n = await node('sg-quiet');
    const listed = async () => ((await call('GET', '/api/v1/nodes')).json() as { nodes: { id: string; verdict: { restricted: string; computedAt: string } | null }[] }).nodes.find((x) => x.id === n.id)!.verdict;
    await measure(n.key, SINGAPORE);
    expect(await listed()).toMatchObject({ restricted: 'excluded' });
    // Silent from now on. Judged again each interval, each bound grown by 1,200 km an hour of its
    // age: excluded while the host could not yet have reached a restricted country, then possible.
    const minutes: number[] = [];
    for (let minute = 10; minute <= 6 * 60; minute += 10) {
      s.clock.advance(10 * 60_000);
      expect(await s.app.verification.refreshExpired(1000)).toBe(1);
      if ((await listed())!.restricted !== 'excluded') {
        minutes.push(minute);
        break;
      }
    }
    // Singapore is more than 1,000 km from the nearest restricted land (China's claims in the South
    // China Sea included): not within the first 50 minutes; well before the window ends.
    expect(minutes[0]).toBeGreaterThan(50);
    expect(minutes[0]).toBeLessThan(4 * 60);
    expect(await listed()).toMatchObject({ restricted: 'possible', computedAt: s.clock.now().toISOString() });
    expect((await alerts('firing')).map((a) => [a.kind, a.severity, a.summary])).toEqual([['restricted', 'warning', expect.stringMatching(/^sg-quiet: restricted countries possible \(.*CN.*\)$/)]]);
    // Once every measurement has left the window, the verdict rests on none and the alert says so.
    s.clock.advance(6 * 3600_000);
    expect(await s.app.verification.refreshExpired(1000)).toBe(1);
    expect((await alerts('firing')).map((a) => [a.kind, a.summary])).toEqual([['restricted', expect.stringMatching(/^sg-quiet: restricted countries possible: no landmark measurement recent enough to count \(last measured 2026-11-29T12:00:00.000Z\)$/)]]);
    // Judged on nothing, it loses nothing more: not judged again until it is measured.
    s.clock.advance(3600_000);
    expect(await s.app.verification.refreshExpired(1000)).toBe(0);
    await measure(n.key, SINGAPORE);
    expect(await listed()).toMatchObject({ restricted: 'excluded' });
    expect(await alerts('firing')).toEqual([]);
  });

  it('fire once a landmark that held a node excluded is revoked (it lied): the verdicts it held up are judged again without it', async () => {
    const liar = landmark('sin-liar', 'SG', 1.29, 103.85);
    await s.registerLandmarks([liar.info]);
    const n = await node('sg-lied-for');
    const bystander = await node('sg-bystander');
    // Honest landmarks see a host in Shenzhen behind 10 ms of added delay; the compromised one signs an RTT from Singapore.
    await call('POST', '/api/v1/measurements', { measurements: [...LANDMARKS.map((l) => measurementOf(l, n.key.publicKey, SHENZHEN, s.clock.now(), 10)), measurementOf(liar, n.key.publicKey, SINGAPORE, s.clock.now())] });
    await measure(bystander.key, SINGAPORE);
    expect(await alerts('firing')).toEqual([]);
    const operator = await s.tokenFor(DEFAULT_ORG, 'owner');
    expect((await call('DELETE', '/api/v1/landmarks/sin-liar', undefined, operator)).json()).toEqual({ revoked: true });
    // The next run judges again the node the liar measured, and it alone.
    expect(await s.app.verification.refreshExpired(1000)).toBe(1);
    expect((await alerts('firing')).map((a) => [a.kind, a.nodeId])).toEqual([['restricted', n.id]]);
    expect((await reposOf(s.storage).verdicts.history(n.id, 1))[0]).toMatchObject({ measurements: LANDMARKS.length, record: { restricted: 'possible' } });
  });

  it('fire once the server starts with a country added to the restricted list: every stored verdict is judged again with it', async () => {
    const n = await node('sg-param');
    await measure(n.key, SINGAPORE);
    expect(await alerts('firing')).toEqual([]);
    const restart = async (restricted: readonly string[]) => {
      const app = await buildApp({ storage: s.storage, world, config: { ...DEFAULT_SERVER_CONFIG, restricted: [...restricted] }, clock: s.clock });
      try {
        return await app.verification.refreshExpired(1000);
      } finally {
        await app.close();
      }
    };
    // The same parameters (in another order): nothing to judge again.
    expect(await restart([...DEFAULT_SERVER_CONFIG.restricted].reverse())).toBe(0);
    expect(await restart([...DEFAULT_SERVER_CONFIG.restricted, 'SG'])).toBe(1);
    const firing = await reposOf(s.storage).alerts.firing('org-a');
    expect(firing.map((a) => [a.kind, a.node_id, a.summary])).toEqual([['restricted', n.id, expect.stringMatching(/^sg-param: restricted countries (possible|certain) \(.*SG.*\)/)]]);
    expect((await reposOf(s.storage).verdicts.history(n.id, 1))[0]!.record.restricted).not.toBe('excluded');
  });

  it('tell webhooks when a firing restricted alert turns critical (restricted countries certain), alone or in a group', async () => {
    const h = await hook([]);
    const grouped = (await call('POST', '/api/v1/webhooks', { url: (await call('GET', '/api/v1/webhooks')).json<{ webhooks: { url: string }[] }>().webhooks[0]!.url, groupWaitS: 30 })).json() as { id: string };
    const beijing = landmark('bjs-1', 'CN', 39.9042, 116.4074);
    await s.registerLandmarks([beijing.info]);
    const n = await node('sg-9');
    await measure(n.key, SHENZHEN, 10);
    expect((await alerts('firing')).map((a) => [a.kind, a.severity])).toEqual([['restricted', 'warning']]);
    // The dispatch the alert set off is done before the clock moves on (else, still sending when
    // the group falls due, it could send the group before the change below joins it).
    await s.app.alerting.dispatch();
    // The host turns out to be in Beijing: restricted countries certain, the same alert now critical.
    s.clock.advance(60_000);
    const at = { lat: 39.9042, lon: 116.4074 };
    await call('POST', '/api/v1/measurements', { measurements: [beijing, ...LANDMARKS].map((l) => measurementOf(l, n.key.publicKey, at, s.clock.now())) });
    // (Its claim of Singapore is contradicted too: another alert, another kind.)
    const firing = (await alerts('firing')).filter((a) => a.kind === 'restricted');
    expect(firing.map((a) => [a.kind, a.severity, a.summary])).toEqual([['restricted', 'critical', expect.stringMatching(/^sg-9: restricted countries certain \(CN\)/)]]);
    await s.app.alerting.dispatch();
    s.clock.advance(30_000);
    await s.app.alerting.dispatch();
    type Body = { event: string; previousSeverity?: string; alert: { id: string; kind: string; severity: string }; group?: { kind: string }; summary?: string; severityChanged?: number; changes?: { event: string; previousSeverity?: string }[] };
    const bodies = h.got.map((g) => [g.event, JSON.parse(g.body) as Body] as const).filter(([, b]) => (b.group ?? b.alert).kind === 'restricted');
    const alone = bodies.filter(([e]) => e !== 'group').map(([, b]) => b);
    expect(alone.map((b) => [b.event, b.previousSeverity, b.alert.severity, b.alert.id])).toEqual([['fired', undefined, 'warning', firing[0]!.id], ['severity-changed', 'warning', 'critical', firing[0]!.id]]);
    const group = bodies.find(([e]) => e === 'group')![1];
    expect(group).toMatchObject({ fired: 1, severityChanged: 1, summary: 'restricted: 1 fired, 1 changed severity' });
    expect(group.changes!.map((c) => [c.event, c.previousSeverity])).toEqual([['fired', undefined], ['severity-changed', 'warning']]);
    expect((await reposOf(s.storage).alerts.deliveries(grouped.id, 10)).map((d) => [d.event, d.changes, JSON.parse(d.body).group.kind])).toContainEqual(['group', 2, 'restricted']);
    const metrics = (await s.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('locus_alert_transitions_total{kind="restricted",change="severity-changed"} 1');
  });

  it('go to a webhook of the severities and kinds it takes: a pager told of critical restricted alerts only', async () => {
    const h = await hook([]);
    const pager = await call('PATCH', `/api/v1/webhooks/${h.id}`, { minSeverity: 'critical', kinds: ['restricted', 'restricted'] });
    expect(pager.json()).toMatchObject({ groupWaitS: 0, minSeverity: 'critical', kinds: ['restricted'] });
    const beijing = landmark('bjs-2', 'CN', 39.9042, 116.4074);
    await s.registerLandmarks([beijing.info]);
    const n = await node('sg-10');
    await measure(n.key, SHENZHEN, 10);
    await s.app.alerting.dispatch();
    // Restricted countries possible: a warning, not for this webhook.
    expect(h.got).toEqual([]);
    s.clock.advance(60_000);
    await call('POST', '/api/v1/measurements', { measurements: [beijing, ...LANDMARKS].map((l) => measurementOf(l, n.key.publicKey, { lat: 39.9042, lon: 116.4074 }, s.clock.now())) });
    await s.app.alerting.dispatch();
    // Certain: the same alert, now critical, is; the contradicted claim (critical, another kind) is not.
    expect((await alerts('firing')).map((a) => a.kind).sort()).toEqual(['claim-contradicted', 'restricted']);
    expect(h.got.map((g) => JSON.parse(g.body) as { event: string; alert: { kind: string } }).map((b) => [b.event, b.alert.kind])).toEqual([['severity-changed', 'restricted']]);
    // In Singapore a minute later: no single place fits both (an empty region), so restricted
    // countries are possible again, not excluded: the alert stays, a warning again, and the pager
    // is told of that change (it was told of the critical one).
    s.clock.advance(60_000);
    await call('POST', '/api/v1/measurements', { measurements: [beijing, ...LANDMARKS].map((l) => measurementOf(l, n.key.publicKey, SINGAPORE, s.clock.now())) });
    await s.app.alerting.dispatch();
    expect((await alerts('firing')).find((a) => a.kind === 'restricted')).toMatchObject({ severity: 'warning' });
    expect(h.got.map((g) => (JSON.parse(g.body) as { event: string }).event)).toEqual(['severity-changed', 'severity-changed']);
    // Once the Beijing answers have left the window: excluded, resolved, and told.
    s.clock.advance(7 * 3600_000);
    await measure(n.key, SINGAPORE);
    await s.app.alerting.dispatch();
    expect(h.got.map((g) => (JSON.parse(g.body) as { event: string }).event)).toEqual(['severity-changed', 'severity-changed', 'resolved']);
    // Every kind again; bad filters refused.
    expect((await call('PATCH', `/api/v1/webhooks/${h.id}`, { kinds: null })).json()).toMatchObject({ minSeverity: 'critical', kinds: null });
    for (const body of [{ kinds: [] }, { kinds: ['no-such-kind'] }, { minSeverity: 'info' }]) expect((await call('PATCH', `/api/v1/webhooks/${h.id}`, body)).statusCode, JSON.stringify(body)).toBe(400);
    expect((await call('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/x', minSeverity: 'critical', kinds: ['gpu-health'] })).json()).toMatchObject({ minSeverity: 'critical', kinds: ['gpu-health'], groupWaitS: 0 });
  });

  it('go to a webhook that groups them as one delivery per kind and zone, once the first has waited, retried whole', async () => {
    const h = await hook([500]);
    const grouped = await call('PATCH', `/api/v1/webhooks/${h.id}`, { groupWaitS: 30 });
    expect(grouped.json()).toEqual({ id: h.id, url: expect.stringMatching(/\/hook$/), groupWaitS: 30, minSeverity: 'warning', kinds: null, createdAt: expect.any(String) });
    expect(((await call('GET', '/api/v1/webhooks')).json() as { webhooks: unknown[] }).webhooks).toEqual([grouped.json()]);
    const zone = (await call('POST', '/api/v1/zones', { name: 'sin-dc1', claimedCountry: 'SG' })).json() as { id: string };
    const inside = [await node('sg-in-1'), await node('sg-in-2'), await node('sg-in-3')];
    const outside = await node('sg-out');
    for (const n of inside) expect((await call('PUT', `/api/v1/nodes/${n.id}/zone`, { zoneId: zone.id })).statusCode).toBe(200);
    // One of the zone's nodes is muted: not told, grouped or not.
    await call('POST', '/api/v1/mute-rules', { nodeId: inside[2]!.id, durationS: 3600, reason: 'rebuilt' });
    for (const n of [...inside, outside]) await measure(n.key, SHENZHEN, 10);
    await s.app.alerting.dispatch();
    expect(h.got).toEqual([]);
    s.clock.advance(29_999);
    await s.app.alerting.dispatch();
    expect(h.got).toEqual([]);
    // Once the first has waited 30 s: the zone's changes as one delivery, the node outside any zone as another.
    s.clock.advance(1);
    await s.app.alerting.dispatch();
    expect(h.got).toHaveLength(1); // the first answered 500: its webhook waits for the next dispatch
    s.clock.advance(60_000);
    await s.app.alerting.dispatch();
    expect(h.got).toHaveLength(3);
    for (const g of h.got) {
      expect(g.event).toBe('group');
      expect(g.signature).toBe(webhookSignature(h.secret, g.body));
    }
    // The one that failed went again as it was (the other went first: it fell due first).
    expect(h.got.slice(1).filter((g) => g.body === h.got[0]!.body)).toHaveLength(1);
    type Group = { group: { kind: string; zoneId: string | null; zoneName: string | null }; summary: string; fired: number; resolved: number; changes: { event: string; alert: { nodeId: string } }[] };
    const sent = h.got.slice(1).map((g) => JSON.parse(g.body) as Group);
    const zoned = sent.find((g) => g.group.zoneId !== null);
    const alone = sent.find((g) => g.group.zoneId === null);
    expect(zoned).toMatchObject({ event: 'group', group: { kind: 'restricted', zoneId: zone.id, zoneName: 'sin-dc1' }, summary: 'restricted in zone sin-dc1: 2 fired', fired: 2, resolved: 0 });
    expect(zoned!.changes.map((c) => [c.event, c.alert.nodeId]).sort()).toEqual([['fired', inside[0]!.id], ['fired', inside[1]!.id]].sort());
    expect(alone).toMatchObject({ group: { kind: 'restricted', zoneId: null, zoneName: null }, summary: expect.stringMatching(/^fired: sg-out: restricted countries possible/), fired: 1 });
    const log = (await call('GET', `/api/v1/webhooks/${h.id}/deliveries`)).json() as { deliveries: { event: string; changes: number; status: string; alertId: string | null }[] };
    expect(log.deliveries.map((d) => [d.event, d.changes, d.status, d.alertId]).sort()).toEqual([['group', 1, 'delivered', null], ['group', 2, 'delivered', null]]);

    // Resolved together too (once excluded for RESTRICTED_RESOLVE_AFTER_MS, at a sweep); and once grouping is off, each change goes alone at once.
    for (const n of inside.slice(0, 2)) await measure(n.key, SINGAPORE);
    s.clock.advance(RESTRICTED_RESOLVE_AFTER_MS);
    await s.app.alerting.sweep(['org-a']);
    s.clock.advance(30_000);
    await s.app.alerting.dispatch();
    expect(JSON.parse(h.got.at(-1)!.body)).toMatchObject({ summary: 'restricted in zone sin-dc1: 2 resolved', fired: 0, resolved: 2 });
    expect((await call('PATCH', `/api/v1/webhooks/${h.id}`, { groupWaitS: 0 })).json()).toMatchObject({ groupWaitS: 0 });
    await measure(outside.key, SINGAPORE);
    await s.app.alerting.dispatch();
    expect(JSON.parse(h.got.at(-1)!.body)).toMatchObject({ event: 'resolved', alert: { nodeId: outside.id } });
    expect(h.got).toHaveLength(5);

    // Bad changes are refused, and only owners and admins of the webhook's org make them.
    for (const body of [{ groupWaitS: 3601 }, { groupWaitS: -1 }, { groupWaitS: 1.5 }, {}, { groupWaitS: 30, id: 'other' }, { groupWaitS: 30, secret: 'too short' }]) expect((await call('PATCH', `/api/v1/webhooks/${h.id}`, body)).statusCode, JSON.stringify(body)).toBe(400);
    expect((await call('PATCH', `/api/v1/webhooks/${h.id}`, { groupWaitS: 30 }, await s.tokenFor('org-a', 'viewer'))).statusCode).toBe(403);
    expect((await call('PATCH', `/api/v1/webhooks/${h.id}`, { groupWaitS: 30 }, await s.tokenFor('org-b', 'owner'))).statusCode).toBe(404);
    expect((await call('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/x', groupWaitS: 7200 })).statusCode).toBe(400);
  });

  it("go in order to a webhook that groups them: a group's delivery waits while an earlier one of its kind and zone is retried", async () => {
    const h = await hook([500]);
    await call('PATCH', `/api/v1/webhooks/${h.id}`, { groupWaitS: 30 });
    const n = await node('sg-g');
    await measure(n.key, SHENZHEN, 10);
    s.clock.advance(30_000);
    await s.app.alerting.dispatch();
    expect(h.got.map((g) => (JSON.parse(g.body) as { fired: number }).fired)).toEqual([1]);
    // The receiver refused it: retried in an hour, say (its waits grow to that).
    const log = async () => ((await call('GET', `/api/v1/webhooks/${h.id}/deliveries`)).json() as { deliveries: { id: string; status: string; alertId: string | null }[] }).deliveries;
    const [fired] = await log();
    await reposOf(s.storage).alerts.recordAttempt(fired!.id, { status: 'pending', attempts: 6, next_attempt_at: s.clock.now().getTime() + 3_600_000, last_status_code: 500, last_error: 'HTTP 500', delivered_at: null, last_attempt_at: s.clock.now().getTime() });
    // It resolves meanwhile (once its verdict may be judged again, and has excluded them a while): its group's next delivery waits for the one retried.
    s.clock.advance(30_000);
    await measure(n.key, SINGAPORE);
    s.clock.advance(RESTRICTED_RESOLVE_AFTER_MS);
    await s.app.alerting.sweep(['org-a']);
    s.clock.advance(30_000);
    await s.app.alerting.dispatch();
    expect(h.got).toHaveLength(1);
    expect((await log()).map((d) => [d.status, d.alertId])).toEqual([
      ['pending', null],
      ['pending', null],
    ]);
    s.clock.advance(3_600_000);
    await s.app.alerting.dispatch();
    expect(h.got.slice(1).map((g) => JSON.parse(g.body) as { fired: number; resolved: number }).map((g) => [g.fired, g.resolved])).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  it("go to a webhook's new address from the next attempt on, in the midst of a backlog; and a delivery left taken by a redelivery cut short is not sent", async () => {
    const repos = reposOf(s.storage);
    const now = s.clock.now().getTime();
    await repos.alerts.addWebhook({ id: 'w', org_id: 'org-a', url: 'http://old.example/hook', secret: 'old-secret', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null });
    const delivery = (i: number, attempts = 0) => ({ id: `d${i}`, webhook_id: 'w', alert_id: `a${i}`, event: 'fired', body: `{"n":${i}}`, status: 'pending' as const, attempts, next_attempt_at: now, last_status_code: null, last_error: null, created_at: now + i, delivered_at: null, last_attempt_at: null, changes: 1 });
    for (let i = 0; i < 4; i++) await repos.alerts.enqueueDelivery(delivery(i));
    // Pending past its attempts: what a server that stopped in the midst of sending it again by hand leaves.
    await repos.alerts.enqueueDelivery(delivery(4, DEFAULT_ALERTING.maxAttempts));
    const sent: { url: string; signature: string; body: string }[] = [];
    const receiver: typeof fetch = async (url, init) => {
      const headers = init!.headers as Record<string, string>;
      sent.push({ url: String(url), signature: headers['x-locus-signature']!, body: String(init!.body) });
      // The operator moves the webhook while the first is sent.
      if (sent.length === 1) await repos.alerts.updateWebhook('org-a', 'w', { url: 'http://new.example/hook', secret: 'new-secret' });
      return new Response(null, { status: 204 });
    };
    await new Alerting(repos, s.clock, { ...DEFAULT_ALERTING, restricted: [], fetch: receiver }).dispatch();
    expect(sent.map((x) => x.url)).toEqual(['http://old.example/hook', 'http://new.example/hook', 'http://new.example/hook', 'http://new.example/hook']);
    for (const x of sent.slice(1)) expect(x.signature).toBe(webhookSignature('new-secret', x.body));
    expect(await repos.alerts.delivery('d4')).toMatchObject({ status: 'failed', attempts: DEFAULT_ALERTING.maxAttempts, last_error: expect.stringContaining('not sent; send it again') });
  });

  it('go in deliveries of at most GROUP_MAX_CHANGES changes when a group has more (a site gone dark)', async () => {
    const repos = reposOf(s.storage);
    const now = s.clock.now().getTime();
    await repos.alerts.addWebhook({ id: 'w', org_id: 'org-a', url: 'http://fine.example/hook', secret: 's', created_at: 0, group_wait_ms: 30_000, min_severity: 'warning', kinds: null });
    const n = GROUP_MAX_CHANGES + 5;
    await repos.alerts.hold(Array.from({ length: n }, (_, i) => ({ id: `c${String(i).padStart(5, '0')}`, webhook_id: 'w', kind: 'node-silent', zone_id: '', event: 'fired' as const, previous_severity: null, alert: JSON.stringify({ id: `a${i}`, nodeId: `n${i}`, summary: `n${i} silent` }), created_at: now + i, due_at: now + i + 30_000 })));
    const bodies: { fired: number; changes: { alert: { nodeId: string } }[] }[] = [];
    const receiver: typeof fetch = (_url, init) => {
      bodies.push(JSON.parse(String(init!.body)) as (typeof bodies)[number]);
      return Promise.resolve(new Response(null, { status: 204 }));
    };
    s.clock.advance(30_000);
    await new Alerting(repos, s.clock, { ...DEFAULT_ALERTING, restricted: [], fetch: receiver }).dispatch();
    expect(bodies.map((b) => b.fired)).toEqual([GROUP_MAX_CHANGES, 5]);
    expect(bodies.flatMap((b) => b.changes.map((c) => c.alert.nodeId))).toEqual(Array.from({ length: n }, (_, i) => `n${i}`));
    expect(await repos.alerts.groupsDue(s.clock.now().getTime() + 3600_000)).toEqual([]);
  });

  it('stay quiet toward webhooks while muted, and say so', async () => {
    const h = await hook([]);
    const n = await node('sg-7');
    expect((await call('POST', '/api/v1/mute-rules', { kind: 'restricted', nodeId: n.id, durationS: 3600, reason: 'under investigation' })).statusCode).toBe(201);
    await measure(n.key, SHENZHEN, 10);
    await s.app.alerting.dispatch();
    expect(h.got).toEqual([]);
    expect((await alerts('firing'))[0]!.muted).toMatchObject({ reason: 'under investigation' });
    // While the rule holds, nothing is told, however often the loop looks.
    expect(await s.app.alerting.tellUnmuted()).toBe(0);
    // The rule runs out with the alert still firing: it is told then, once, as it is now.
    s.clock.advance(3600_000);
    expect(await s.app.alerting.tellUnmuted()).toBe(1);
    expect(await s.app.alerting.tellUnmuted()).toBe(0);
    await s.app.alerting.dispatch();
    expect(h.got.map((g) => JSON.parse(g.body) as { event: string; alert: { kind: string; nodeId: string; muted: unknown } })).toEqual([expect.objectContaining({ event: 'fired', alert: expect.objectContaining({ kind: 'restricted', nodeId: n.id, muted: null }) })]);
    // A rule that names nothing would mute every alert of the organization: refused.
    const all = await call('POST', '/api/v1/mute-rules', { durationS: 3600, reason: 'everything' });
    expect(all.statusCode).toBe(400);
    expect(all.json()).toMatchObject({ code: 'LOCUS_ERR_VALIDATION', message: expect.stringMatching(/name a kind, a node or a zone/) });
  });

  it('tell of what fired while muted when the rule is lifted, and not of what resolved meanwhile', async () => {
    const h = await hook([]);
    const [still, gone] = [await node('sg-11'), await node('sg-12')];
    expect((await call('POST', '/api/v1/mute-rules', { kind: 'restricted', durationS: 3600, reason: 'moving racks' })).statusCode).toBe(201);
    await measure(still.key, SHENZHEN, 10);
    await measure(gone.key, SHENZHEN, 10);
    s.clock.advance(7 * 3600_000);
    // Back in Singapore once its Shenzhen answers have left the window: resolved, muted still.
    await measure(gone.key, SINGAPORE);
    await measure(still.key, SHENZHEN, 10);
    await s.app.alerting.dispatch();
    const told = () => h.got.map((g) => JSON.parse(g.body) as { event: string; alert: { nodeId: string } }).map((b) => [b.event, b.alert.nodeId]);
    // The rule had run out by then: the resolution went out (a receiver ignores one it never had), the one still firing, not yet.
    expect(told()).toEqual([['resolved', gone.id]]);
    expect(await s.app.alerting.tellUnmuted()).toBe(1);
    await s.app.alerting.dispatch();
    expect(told()).toEqual([['resolved', gone.id], ['fired', still.id]]);
    // Lifting a rule tells at once.
    h.got.length = 0;
    const third = await node('sg-13');
    const lifted = (await call('POST', '/api/v1/mute-rules', { nodeId: third.id, durationS: 3600, reason: 'x' })).json() as { id: string };
    await measure(third.key, SHENZHEN, 10);
    await s.app.alerting.dispatch();
    expect(told()).toEqual([]);
    expect((await call('DELETE', `/api/v1/mute-rules/${lifted.id}`)).statusCode).toBe(200);
    await vi.waitFor(async () => {
      await s.app.alerting.dispatch();
      expect(told()).toEqual([['fired', third.id]]);
    });
  });

  it('tell of a resolution a mute kept from them, for an alert they were told fired, when the mute ends (mute, fix, unmute)', async () => {
    const h = await hook([]);
    const n = await node('sg-14');
    await measure(n.key, SHENZHEN, 10);
    await s.app.alerting.dispatch();
    const told = () => h.got.map((g) => JSON.parse(g.body) as { event: string; alert: { nodeId: string } }).map((b) => [b.event, b.alert.nodeId]);
    expect(told()).toEqual([['fired', n.id]]);
    const rule = (await call('POST', '/api/v1/mute-rules', { nodeId: n.id, durationS: 8 * 3600, reason: 'moving it back' })).json() as { id: string };
    s.clock.advance(7 * 3600_000);
    await measure(n.key, SINGAPORE);
    await s.app.alerting.dispatch();
    expect((await alerts('resolved')).map((a) => a.nodeId)).toContain(n.id);
    // Resolved under the mute: not told while it holds.
    expect(await s.app.alerting.tellUnmuted()).toBe(0);
    expect(told()).toEqual([['fired', n.id]]);
    expect((await call('DELETE', `/api/v1/mute-rules/${rule.id}`)).statusCode).toBe(200);
    await vi.waitFor(async () => {
      await s.app.alerting.dispatch();
      expect(told()).toEqual([['fired', n.id], ['resolved', n.id]]);
    });
  });

  it('tell of that resolution also when the alert changed severity under the mute before it resolved', async () => {
    const h = await hook([]);
    const beijing = landmark('bjs-2', 'CN', 39.9042, 116.4074);
    await s.registerLandmarks([beijing.info]);
    const n = await node('sg-15');
    await measure(n.key, SHENZHEN, 10);
    await s.app.alerting.dispatch();
    const told = () => h.got.map((g) => JSON.parse(g.body) as { event: string; alert: { kind: string; nodeId: string } }).filter((b) => b.alert.kind === 'restricted').map((b) => [b.event, b.alert.nodeId]);
    expect(told()).toEqual([['fired', n.id]]);
    const rule = (await call('POST', '/api/v1/mute-rules', { nodeId: n.id, durationS: 8 * 3600, reason: 'investigating' })).json() as { id: string };
    // Under the mute: certain (critical), then, once those answers have left the window, back in Singapore.
    s.clock.advance(60_000);
    await call('POST', '/api/v1/measurements', { measurements: [beijing, ...LANDMARKS].map((l) => measurementOf(l, n.key.publicKey, { lat: 39.9042, lon: 116.4074 }, s.clock.now())) });
    expect((await alerts('firing')).filter((a) => a.kind === 'restricted').map((a) => a.severity)).toEqual(['critical']);
    s.clock.advance(7 * 3600_000);
    await measure(n.key, SINGAPORE);
    expect((await alerts('firing')).filter((a) => a.kind === 'restricted')).toEqual([]);
    expect((await call('DELETE', `/api/v1/mute-rules/${rule.id}`)).statusCode).toBe(200);
    await vi.waitFor(async () => {
      await s.app.alerting.dispatch();
      expect(told()).toEqual([['fired', n.id], ['resolved', n.id]]);
    });
  });

  it("stay quiet toward webhooks for a zone's members while the zone is muted (a site's maintenance), and only for them", async () => {
    const h = await hook([]);
    const zone = (await call('POST', '/api/v1/zones', { name: 'sin-dc1', claimedCountry: 'SG' })).json() as { id: string };
    const inside = await node('sg-in');
    const outside = await node('sg-out');
    expect((await call('PUT', `/api/v1/nodes/${inside.id}/zone`, { zoneId: zone.id })).statusCode).toBe(200);
    const muted = await call('POST', '/api/v1/mute-rules', { zoneId: zone.id, durationS: 7200, reason: 'site maintenance' });
    expect(muted.statusCode).toBe(201);
    expect(muted.json()).toMatchObject({ kind: null, nodeId: null, zoneId: zone.id, reason: 'site maintenance' });
    expect(((await call('GET', '/api/v1/mute-rules')).json() as { rules: unknown[] }).rules).toEqual([expect.objectContaining({ zoneId: zone.id })]);
    await measure(inside.key, SHENZHEN, 10);
    await measure(outside.key, SHENZHEN, 10);
    await s.app.alerting.dispatch();
    expect(h.got.map((g) => (JSON.parse(g.body) as { alert: { nodeId: string } }).alert.nodeId)).toEqual([outside.id]);
    const firing = (await alerts('firing')) as unknown as { nodeId: string; muted: { reason: string } | null }[];
    expect(firing.find((a) => a.nodeId === inside.id)?.muted).toMatchObject({ reason: 'site maintenance' });
    expect(firing.find((a) => a.nodeId === outside.id)?.muted).toBeNull();
    // An unknown zone, or another organization's, is refused.
    expect((await call('POST', '/api/v1/mute-rules', { zoneId: 'nope', durationS: 60, reason: 'x' })).statusCode).toBe(404);
    const other = await s.tokenFor('org-b', 'owner');
    expect((await call('POST', '/api/v1/mute-rules', { zoneId: zone.id, durationS: 60, reason: 'x' }, other)).statusCode).toBe(404);
  });

  it('come from agent health events and from a node gone silent, and clear when they do', async () => {
    const key = generateSigningKey();
    const token = ((await call('POST', '/api/v1/enrollment-tokens', {})).json() as { token: string }).token;
    const inventory = { hostname: 'h', machineId: null, os: 'x', kernel: 'y', cpu: { model: 'c', cores: 1 }, memoryBytes: 1, nics: [], driverVersion: null, cudaVersion: null, gpus: [] };
    const enroll = signBody('enroll', { v: PROTOCOL_VERSION, token, hostKey: key.publicKey, name: 'gpu-9', claimedCountry: null, inventory, at: s.clock.now().toISOString() }, key.privateKey);
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/agents/enroll', payload: enroll })).statusCode).toBe(201);
    const health = (state: string) => ({ kind: 'health', id: randomUUID(), at: s.clock.now().toISOString(), component: 'xid', gpu: 'GPU-3', health: state, reason: 'Xid 79: fell off the bus', suggestedAction: 'reboot' });
    const ingest = (events: object[]) =>
      s.app.inject({ method: 'POST', url: '/api/v1/ingest', payload: signBody('ingest', { v: PROTOCOL_VERSION, batchId: randomUUID(), hostKey: key.publicKey, sentAt: s.clock.now().toISOString(), samples: [], events: events as never }, key.privateKey) });
    await ingest([health('unhealthy')]);
    expect(await alerts('firing')).toEqual([expect.objectContaining({ kind: 'gpu-health', severity: 'critical', summary: 'gpu-9: GPU GPU-3 xid: Xid 79: fell off the bus (reboot)' })]);
    s.clock.advance(1000);
    await ingest([health('healthy')]);
    expect(await alerts('firing')).toEqual([]);
    const lastReport = s.clock.now().toISOString();
    s.clock.advance(6 * 60_000);
    expect(await s.app.alerting.checkSilence()).toBe(1);
    expect(await alerts('firing')).toEqual([expect.objectContaining({ kind: 'node-silent', summary: `gpu-9: no report since ${lastReport}` })]);
    expect(await s.app.alerting.checkSilence()).toBe(0);
    await ingest([]);
    expect(await alerts('firing')).toEqual([]);
    // Silent again, then gone: leaving resolves its alerts at once.
    s.clock.advance(6 * 60_000);
    await s.app.alerting.checkSilence();
    expect((await alerts('firing')).map((a) => a.kind)).toEqual(['node-silent']);
    const leave = signBody('unenroll', { v: PROTOCOL_VERSION, hostKey: key.publicKey, at: s.clock.now().toISOString() }, key.privateKey);
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/agents/unenroll', payload: leave })).statusCode).toBe(200);
    expect(await alerts('firing')).toEqual([]);
  });

  it("say why a node is silent when its own agent's batches are refused, and call one silent that never had a batch stored; a forgery records nothing", async () => {
    const enrolledAt = s.clock.now().toISOString();
    const { nodeId, key } = await enrollAgent(s, owner, { name: 'gpu-7', gpus: [] });
    const batch = (v: number) => ({ v, batchId: randomUUID(), hostKey: key.publicKey, sentAt: s.clock.now().toISOString(), samples: [], events: [] });
    const ingest = (payload: object) => s.app.inject({ method: 'POST', url: '/api/v1/ingest', payload });
    type Detail = { lastReportAt: string | null; lastRefusal: { at: string; code: string; message: string } | null; refused: boolean };
    const detail = async () => (await call('GET', `/api/v1/nodes/${nodeId}`)).json() as Detail;
    const refusedCount = async () => Number(/^locus_ingest_batches_total\{result="refused"\} (\d+)$/m.exec((await s.app.inject({ url: '/metrics' })).body)?.[1] ?? 0);

    // A newer agent's body, signed by another key in the node's name: refused, and kept nowhere.
    const newer = batch(PROTOCOL_VERSION + 1);
    const forged = signBody('ingest', newer as never, generateSigningKey().privateKey);
    expect((await ingest(forged)).json()).toEqual({ statusCode: 400, code: 'LOCUS_ERR_PROTO_VERSION', error: 'Bad Request', message: `the body is of protocol version ${PROTOCOL_VERSION + 1}; this server reads version ${PROTOCOL_VERSION}: upgrade the server (servers first, then agents and landmarks)`, versions: [PROTOCOL_VERSION] });
    expect(await detail()).toMatchObject({ lastReportAt: null, lastRefusal: null, refused: false });
    s.clock.advance(6 * 60_000);
    expect(await s.app.alerting.checkSilence()).toBe(0);

    // Signed by its own key: the node keeps the refusal, and is silent once enrolled that long.
    const refusedAt = s.clock.now().toISOString();
    const refusal = (await ingest(signBody('ingest', newer as never, key.privateKey))).json() as { code: string; message: string };
    expect(refusal.code).toBe('LOCUS_ERR_PROTO_VERSION');
    expect(await detail()).toEqual(expect.objectContaining({ lastReportAt: null, lastRefusal: { at: refusedAt, code: refusal.code, message: refusal.message }, refused: true }));
    expect(await s.app.alerting.checkSilence()).toBe(1);
    const why = `its batches are refused (LOCUS_ERR_PROTO_VERSION: ${refusal.message})`;
    expect(await alerts('firing')).toEqual([expect.objectContaining({ kind: 'node-silent', summary: `gpu-7: no report stored since it enrolled at ${enrolledAt}: ${why}` })]);
    expect(await refusedCount()).toBe(2);

    // Delivering again resolves it; silent later without a newer refusal, the summary says nothing of one.
    s.clock.advance(1000);
    const storedAt = s.clock.now().toISOString();
    expect((await ingest(signBody('ingest', batch(PROTOCOL_VERSION) as never, key.privateKey))).statusCode).toBe(200);
    expect(await alerts('firing')).toEqual([]);
    expect(await detail()).toMatchObject({ lastReportAt: storedAt, refused: false });
    s.clock.advance(6 * 60_000);
    expect(await s.app.alerting.checkSilence()).toBe(1);
    expect(await alerts('firing')).toEqual([expect.objectContaining({ summary: `gpu-7: no report since ${storedAt}` })]);
    // Refused while silent: its alert says why at once, not at the next sweep.
    await ingest(signBody('ingest', batch(PROTOCOL_VERSION + 1) as never, key.privateKey));
    expect(await alerts('firing')).toEqual([expect.objectContaining({ summary: `gpu-7: no report since ${storedAt}: ${why}` })]);
    // Another reason is told too; a body invalid in itself is refused as such, not as a version.
    await ingest(signBody('ingest', { ...batch(PROTOCOL_VERSION), sentAt: 'yesterday' } as never, key.privateKey));
    expect(await alerts('firing')).toEqual([expect.objectContaining({ summary: expect.stringMatching(new RegExp(`^gpu-7: no report since ${storedAt}: its batches are refused \\(LOCUS_ERR_VALIDATION: body sentAt: `)) })]);
  });

  it('between sweeps, evaluate only the nodes whose silence changed, in every org, however many nodes there are', async () => {
    const repos = reposOf(s.storage);
    const now = s.clock.now().getTime();
    await repos.orgs.ensure({ id: 'org-b', name: 'org-b', created_at: 0 });
    // More nodes than the check reads at once; every 7th silent for 10 min, the rest heard from 1 min ago.
    const n = 2_300;
    const silent: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = `s-${String(i).padStart(4, '0')}`;
      const org = i % 5 === 0 ? 'org-b' : 'org-a';
      await repos.nodes.create({ id, org_id: org, name: id, host_key: `skey-${i}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
      await repos.telemetry.claimBatch(`sb-${i}`, id, now - (i % 7 === 0 ? 10 : 1) * 60_000);
      if (i % 7 === 0) silent.push(`${org} ${id} node-silent`);
      // Stored past the events that evaluate them: a check that judged every node would fire these.
      if (i % 11 === 0) await repos.telemetry.noteHealth(id, { id: `sh-${i}`, at: now, component: 'xid', gpu: 'GPU-x', health: 'unhealthy', reason: 'Xid 79', suggestedAction: 'reboot' });
      if (i % 11 === 0 && i % 7 === 0) silent.push(`${org} ${id} gpu-health`);
    }
    const firing = async () => [...(await repos.alerts.firing('org-a')), ...(await repos.alerts.firing('org-b'))].map((a) => `${a.org_id} ${a.node_id} ${a.kind}`).sort();
    expect(await s.app.alerting.checkSilence()).toBe(Math.ceil(n / 7));
    expect(await firing()).toEqual(silent.sort());
    expect(await s.app.alerting.checkSilence()).toBe(0);
    // Heard from again, some of them: those alone are evaluated, and their silence resolved.
    for (let i = 0; i < n; i += 14) await repos.telemetry.claimBatch(`sb-${i}-again`, `s-${String(i).padStart(4, '0')}`, now);
    expect(await s.app.alerting.checkSilence()).toBe(Math.ceil(n / 14));
    expect((await firing()).filter((a) => a.endsWith('node-silent'))).toHaveLength(Math.ceil(n / 7) - Math.ceil(n / 14));
    // A full sweep judges every fact of every node.
    await s.app.alerting.sweep(['org-a', 'org-b']);
    expect((await firing()).filter((a) => a.endsWith('gpu-health'))).toHaveLength(Math.ceil(n / 11));
  });

  it('after a break of the servers, wait until they have been up for the silence time before a node turns silent; a node silent before stays so', async () => {
    const repos = reposOf(s.storage);
    const at = (name: string, ms: number) => repos.telemetry.claimBatch(`${name}-${ms}`, name, ms);
    const t0 = s.clock.now().getTime();
    for (const name of ['gone', 'before', 'quiet', 'back']) await repos.nodes.create({ id: name, org_id: 'org-a', name, host_key: `key-${name}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    // Up for a day: two nodes silent for 30 min, two heard 4 min ago.
    s.app.alerting.upSince(t0 - 86_400_000);
    for (const name of ['gone', 'before']) await at(name, t0 - 30 * 60_000);
    for (const name of ['quiet', 'back']) await at(name, t0 - 4 * 60_000);
    const firing = async () => (await repos.alerts.firing('org-a')).map((a) => `${a.node_id} ${a.kind}`).sort();
    await s.app.alerting.sweep(['org-a']);
    expect(await firing()).toEqual(['before node-silent', 'gone node-silent']);
    expect(((await call('GET', '/api/v1/alerts')).json() as { silenceHeld: unknown }).silenceHeld).toBeNull();
    // No server for 10 min; up again since t1. Every node has been quiet for over 5 min.
    s.clock.advance(10 * 60_000);
    const t1 = s.clock.now().getTime();
    s.app.alerting.upSince(t1);
    const held = async () => ((await call('GET', '/api/v1/alerts')).json() as { silenceHeld: unknown }).silenceHeld;
    expect(await held()).toEqual({ serversUpSince: new Date(t1).toISOString(), until: new Date(t1 + 5 * 60_000).toISOString() });
    await s.app.alerting.sweep(['org-a']);
    expect(await s.app.alerting.checkSilence()).toBe(0);
    expect(await firing()).toEqual(['before node-silent', 'gone node-silent']);
    // Agents deliver: a silent node heard again resolves, as always.
    s.clock.advance(60_000);
    await at('back', t1 + 60_000);
    await at('before', t1 + 60_000);
    expect(await s.app.alerting.checkSilence()).toBe(1);
    expect(await firing()).toEqual(['gone node-silent']);
    // Up for 5 min exactly: still held; a millisecond more, and the node not heard since the break is silent.
    s.clock.advance(4 * 60_000);
    expect(await s.app.alerting.checkSilence()).toBe(0);
    await s.app.alerting.sweep(['org-a']);
    expect(await firing()).toEqual(['gone node-silent']);
    s.clock.advance(1);
    expect(await held()).toBeNull();
    expect(await s.app.alerting.checkSilence()).toBe(1);
    expect((await repos.alerts.firing('org-a')).map((a) => [a.node_id, a.kind, a.first_fired_at, a.summary]).sort()).toEqual([
      ['gone', 'node-silent', t0, `gone: no report since ${new Date(t0 - 30 * 60_000).toISOString()}`],
      ['quiet', 'node-silent', t1 + 5 * 60_000 + 1, `quiet: no report since ${new Date(t0 - 4 * 60_000).toISOString()}`],
    ]);
    await s.app.alerting.sweep(['org-a']);
    expect(await firing()).toEqual(['gone node-silent', 'quiet node-silent']);
  });

  it('after a break, with a silence time shorter than agents wait between attempts, hold silence until every agent has tried again', async () => {
    const short = await testServer('sqlite::memory:', { silentAfterMs: 2 * 60_000 });
    try {
      const repos = reposOf(short.storage);
      await repos.orgs.ensure({ id: 'org-a', name: 'org-a', created_at: 0 });
      const t0 = short.clock.now().getTime();
      for (const name of ['steady', 'quiet']) await repos.nodes.create({ id: name, org_id: 'org-a', name, host_key: `key-${name}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
      const firing = async () => (await repos.alerts.firing('org-a')).map((a) => a.node_id).sort();
      // Up for a day: silent after 2 min, as set.
      short.app.alerting.upSince(t0 - 86_400_000);
      await repos.telemetry.claimBatch('steady-1', 'steady', t0 - 3 * 60_000);
      expect(await short.app.alerting.checkSilence()).toBe(1);
      expect(await firing()).toEqual(['steady']);
      // A break; back at t1. An agent that kept failing waits up to AGENT_RETRY_MAX_MS (5 min) before it tries again.
      await repos.telemetry.claimBatch('steady-2', 'steady', t0);
      await repos.telemetry.claimBatch('quiet-1', 'quiet', t0);
      expect(await short.app.alerting.checkSilence()).toBe(1);
      expect(await firing()).toEqual([]);
      short.clock.advance(10 * 60_000);
      const t1 = short.clock.now().getTime();
      short.app.alerting.upSince(t1);
      expect(await short.app.alerting.checkSilence()).toBe(0);
      expect(await firing()).toEqual([]);
      short.clock.advance(3 * 60_000);
      await repos.telemetry.claimBatch('steady-3', 'steady', short.clock.now().getTime());
      await short.app.alerting.sweep(['org-a']);
      expect(await firing()).toEqual([]);
      short.clock.advance(2 * 60_000);
      expect(await short.app.alerting.checkSilence()).toBe(0);
      short.clock.advance(1);
      // 5 min and a millisecond since the servers came back: quiet never tried again; steady was heard 2 min ago, silent too.
      expect(await short.app.alerting.checkSilence()).toBe(2);
      expect(await firing()).toEqual(['quiet', 'steady']);
    } finally {
      await short.close();
    }
  });

  it("are judged by each node's own facts in a sweep of more nodes than it reads at once", async () => {
    const repos = reposOf(s.storage);
    const now = s.clock.now().getTime();
    const board = (uuid: string) => ({ uuid, serial: null, name: 'H100', pci_bus_id: uuid });
    const expected: string[] = [];
    const n = 1_200;
    await repos.orgs.ensure({ id: 'org-b', name: 'org-b', created_at: 0 });
    for (let i = 0; i < n; i++) {
      const id = `n-${String(i).padStart(4, '0')}`;
      const org = i % 97 === 3 ? 'org-b' : 'org-a';
      await repos.nodes.create({ id, org_id: org, name: id, host_key: `key-${i}`, claimed_country: 'SG', created_at: 0, last_measured_at: null, unenrolled_at: i === 1_150 ? now : null, zone_id: null });
      const judged = org === 'org-a' && i !== 1_150;
      // Silent for 10 min, or heard from 1 min ago; every node that is judged has some alert.
      await repos.telemetry.claimBatch(`b-${i}`, id, now - (i % 3 !== 0 ? 10 : 1) * 60_000);
      if (i % 3 !== 0 && judged) expected.push(`${id} node-silent`);
      if (i % 3 === 0 || i % 11 === 0) {
        await repos.telemetry.noteHealth(id, { id: `h-${i}`, at: now, component: 'xid', gpu: 'GPU-x', health: 'unhealthy', reason: 'Xid 79', suggestedAction: 'reboot' });
        if (judged) expected.push(`${id} gpu-health`);
      }
      if (i % 13 === 0) {
        await repos.telemetry.seeGpus(id, [board(`GPU-${i}-a`), board(`GPU-${i}-b`)], now - 2);
        await repos.telemetry.setInventory(id, { gpus: 1 }, now - 1);
        await repos.telemetry.seeGpus(id, [board(`GPU-${i}-a`)], now - 1);
        if (judged) expected.push(`${id} gpu-missing`);
      }
      if (i % 17 === 0) {
        await repos.telemetry.addEvent({ id: `d-${i}`, node_id: id, kind: 'duplicate-gpu', at: now, body: JSON.stringify({ gpu: `GPU-${i}-a`, otherNode: 'elsewhere' }) });
        if (judged) expected.push(`${id} duplicate-gpu`);
      }
      if (i % 19 === 0) {
        const record: VerdictRecord = { claimed: 'SG', claim: 'consistent', restricted: 'possible', possibleCountries: ['SG', 'CN'], areaKm2: 1, radiusKm: 1, estimate: null, countryEstimate: 'SG' };
        await repos.verdicts.insert({ id: `v-${i}-old`, nodeId: id, computedAt: now - 2, measurements: 4, record: { ...record, restricted: 'excluded' }, notes: [] });
        await repos.verdicts.insert({ id: `v-${i}`, nodeId: id, computedAt: now - 1, measurements: 4, record, notes: [] });
        if (judged) expected.push(`${id} restricted`);
      }
    }
    const firing = async () => (await repos.alerts.firing('org-a')).map((a) => `${a.node_id} ${a.kind}`).sort();
    await s.app.alerting.sweep(['org-a']);
    expect(await firing()).toEqual(expected.sort());
    expect(await repos.alerts.firing('org-b')).toEqual([]);
    // Heard from again: the next sweep resolves each silence, and nothing else.
    for (let i = 0; i < n; i++) if (i % 3 !== 0) await repos.telemetry.claimBatch(`b-${i}-again`, `n-${String(i).padStart(4, '0')}`, now);
    await s.app.alerting.sweep(['org-a']);
    expect(await firing()).toEqual(expected.filter((e) => !e.endsWith('node-silent')).sort());
  });

  it('fire for a GPU missing from the host\'s inventory until it returns or is forgotten by hand', async () => {
    const gpus = [
      { uuid: 'GPU-a1', serial: 'S-a1' },
      { uuid: 'GPU-a2', serial: 'S-a2' },
    ];
    const { nodeId, key } = await enrollAgent(s, owner, { name: 'gpu-7', gpus });
    const send = (samples: { at: string; gpus: ReturnType<typeof gpuReadings>[] }[], events: object[]) =>
      s.app.inject({
        method: 'POST',
        url: '/api/v1/ingest',
        payload: signBody('ingest', { v: PROTOCOL_VERSION, batchId: randomUUID(), hostKey: key.publicKey, sentAt: s.clock.now().toISOString(), samples, events } as never, key.privateKey),
      });
    const inventory = (present: typeof gpus, agentVersion?: string) => send([], [{ kind: 'inventory', id: randomUUID(), at: s.clock.now().toISOString(), inventory: hostInventory(present, agentVersion) }]);
    const listed = async () => ((await call('GET', `/api/v1/nodes/${nodeId}/inventory`)).json() as { gpus: { uuid: string; missing: boolean; missingSince: string | null; lastSeenAt: string; lastSampleAt: string | null }[] }).gpus;
    expect(await alerts('firing')).toEqual([]);
    // Both report for a while (the inventory is not sent again: it has not changed), then GPU-a2 falls off.
    const sampled = s.clock.now().toISOString();
    expect((await send([{ at: sampled, gpus: gpus.map((g) => gpuReadings(g.uuid)) }], [])).statusCode).toBe(200);
    s.clock.advance(60_000);
    const lastOfBoth = s.clock.now().toISOString();
    expect((await send([{ at: lastOfBoth, gpus: gpus.map((g) => gpuReadings(g.uuid)) }], [])).statusCode).toBe(200);
    expect((await listed()).map((g) => [g.uuid, g.lastSampleAt, g.missing, g.missingSince])).toEqual([['GPU-a1', lastOfBoth, false, null], ['GPU-a2', lastOfBoth, false, null]]);
    s.clock.advance(10_000);
    const gone = s.clock.now().toISOString();
    expect((await inventory([gpus[0]!])).statusCode).toBe(200);
    const missing = { kind: 'gpu-missing', severity: 'critical', summary: `gpu-7: GPU GPU-a2 (serial S-a2), NVIDIA H100 80GB HBM3, is missing from the host's inventory since ${gone}: fallen off the bus, or taken out (forget it if so)` };
    expect(await alerts('firing')).toEqual([expect.objectContaining(missing)]);
    // Another change of the inventory (an agent upgrade) leaves when it went missing, in the API and the alert.
    s.clock.advance(10_000);
    expect((await send([{ at: s.clock.now().toISOString(), gpus: [gpuReadings('GPU-a1')] }], [{ kind: 'inventory', id: randomUUID(), at: s.clock.now().toISOString(), inventory: hostInventory([gpus[0]!], '0.1.1') }])).statusCode).toBe(200);
    const now = s.clock.now().toISOString();
    expect((await listed()).map((g) => [g.uuid, g.lastSampleAt, g.missing, g.missingSince])).toEqual([['GPU-a1', now, false, null], ['GPU-a2', lastOfBoth, true, gone]]);
    await s.app.alerting.sweep(['org-a']);
    expect(await alerts('firing')).toEqual([expect.objectContaining(missing)]);
    // Back on the bus: resolved. Gone again, then forgotten by hand: resolved, and only a missing GPU can be forgotten.
    s.clock.advance(1000);
    await inventory(gpus);
    expect(await alerts('firing')).toEqual([]);
    s.clock.advance(1000);
    await inventory([gpus[0]!]);
    expect((await alerts('firing')).map((a) => a.kind)).toEqual(['gpu-missing']);
    expect((await call('DELETE', `/api/v1/nodes/${nodeId}/gpus/GPU-a1`)).json()).toMatchObject({ statusCode: 409, code: 'LOCUS_ERR_CONFLICT' });
    expect((await call('DELETE', `/api/v1/nodes/${nodeId}/gpus/GPU-zz`)).json()).toMatchObject({ statusCode: 404, code: 'LOCUS_ERR_NOT_FOUND' });
    const viewer = await s.tokenFor('org-a', 'viewer');
    expect((await call('DELETE', `/api/v1/nodes/${nodeId}/gpus/GPU-a2`, undefined, viewer)).statusCode).toBe(403);
    expect((await call('DELETE', `/api/v1/nodes/${nodeId}/gpus/GPU-a2`)).statusCode).toBe(204);
    expect(await alerts('firing')).toEqual([]);
    expect(((await call('GET', `/api/v1/nodes/${nodeId}/inventory`)).json() as { gpus: { uuid: string }[] }).gpus.map((g) => g.uuid)).toEqual(['GPU-a1']);
  });

  it("name the other node of a GPU reported twice when it is the organization's, and keep another organization's unnamed", async () => {
    const gpu = { uuid: 'GPU-twice', serial: '1650000000042' };
    const first = await enrollAgent(s, owner, { name: 'rack-1-a', gpus: [gpu] });
    const copy = await enrollAgent(s, owner, { name: 'rack-9-z', gpus: [gpu] });
    const tenant = await s.tokenFor('org-b', 'owner');
    const theirs = await enrollAgent(s, tenant, { name: 'b-secret-node', gpus: [gpu] });
    await s.app.alerting.sweep(['org-a', 'org-b']);
    const duplicates = async (headers = owner) => ((await call('GET', '/api/v1/alerts?state=firing', undefined, headers)).json() as { alerts: { kind: string; nodeId: string; summary: string }[] }).alerts.filter((a) => a.kind === 'duplicate-gpu');
    expect((await duplicates()).filter((a) => a.nodeId === copy.nodeId).map((a) => a.summary)).toEqual([`rack-9-z: GPU GPU-twice is also reported by node rack-1-a (${first.nodeId}): a copied identity or a moved board`]);
    const told = await duplicates(tenant);
    expect(told.map((a) => a.summary)).toEqual(['b-secret-node: GPU GPU-twice is also reported by a node of another organization: a copied identity or a moved board', 'b-secret-node: GPU GPU-twice is also reported by a node of another organization: a copied identity or a moved board']);
    expect(JSON.stringify(told)).not.toMatch(new RegExp(`${first.nodeId}|${copy.nodeId}|rack-`));
    expect(theirs.nodeId).toBe(told[0]!.nodeId);
    // The events say the same.
    const events = async (id: string, headers = owner) => ((await call('GET', `/api/v1/nodes/${id}/events`, undefined, headers)).json() as { events: { kind: string; body: object }[] }).events.filter((e) => e.kind === 'duplicate-gpu').map((e) => e.body);
    expect(await events(copy.nodeId)).toEqual([{ gpu: 'GPU-twice', serial: gpu.serial, otherNode: first.nodeId, otherName: 'rack-1-a' }]);
    const theirEvents = await events(theirs.nodeId, tenant);
    expect(theirEvents).toEqual([
      { gpu: 'GPU-twice', serial: gpu.serial, otherNode: null, otherOrganization: true },
      { gpu: 'GPU-twice', serial: gpu.serial, otherNode: null, otherOrganization: true },
    ]);
  });

  it('can be resolved by hand, only within the org', async () => {
    const n = await node('sg-7');
    await measure(n.key, SHENZHEN, 10);
    const [a] = await alerts('firing');
    const other = await s.tokenFor('org-b', 'owner');
    expect((await call('POST', `/api/v1/alerts/${a!.id}/resolve`, undefined, other)).statusCode).toBe(404);
    expect((await call('POST', `/api/v1/alerts/${a!.id}/resolve`)).json()).toEqual({ resolved: true });
    expect(await alerts('firing')).toEqual([]);
  });

  it('refuse a webhook that is not http(s) and a mute rule for a node of another org', async () => {
    expect((await call('POST', '/api/v1/webhooks', { url: 'file:///etc/passwd' })).statusCode).toBe(400);
    // What a URL parser drops, encodes or reads otherwise: the address sent would not be the one shown.
    for (const [url, message] of [
      ['http://127.0.0.1:0/hook', 'has port 0'],
      ['http://127.0.0.1:9/ho ok', 'holds U+0020'],
      ['http://127.0.0.1:9/ho\nok', 'holds U+000A'],
      ['http://127.0.0.1:9/\u202Ekoh', 'holds U+202E'],
      ['http://127.0.0.1:9\\hook', 'holds U+005C'],
    ] as const) {
      const refused = await call('POST', '/api/v1/webhooks', { url });
      expect(refused.json(), url).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION', message: expect.stringContaining(message) });
    }
    expect((await call('POST', '/api/v1/mute-rules', { kind: 'restricted', durationS: 60, reason: 'fine\u202E enif' })).json()).toMatchObject({ statusCode: 400, message: expect.stringContaining('holds U+202E, a control character, which a reason may not hold') });
    const n = await node('x');
    const other = await s.tokenFor('org-b', 'owner');
    expect((await call('POST', '/api/v1/mute-rules', { nodeId: n.id, durationS: 60, reason: 'r' }, other)).statusCode).toBe(404);
  });
});

describe('which alert changes a webhook is told of', () => {
  const alert = (kind: string, severity: string) => ({ id: 'a', org_id: 'o', key: 'k', kind, severity, node_id: 'n', summary: 's', state: 'firing' as const, first_fired_at: 0, last_fired_at: 0, resolved_at: null, untold: 0 });
  const every = { min_severity: 'warning' as const, kinds: null };
  const critical = { min_severity: 'critical' as const, kinds: null };
  const restrictedOnly = { min_severity: 'warning' as const, kinds: '["restricted"]' };
  it.each([
    ['every alert, of any severity', every, { alert: alert('node-silent', 'warning'), change: 'fired' as const }, true],
    ['a warning, not to a critical-only webhook', critical, { alert: alert('node-silent', 'warning'), change: 'fired' as const }, false],
    ['a critical alert to a critical-only webhook', critical, { alert: alert('gpu-health', 'critical'), change: 'fired' as const }, true],
    ['a warning turned critical', critical, { alert: alert('restricted', 'critical'), change: 'severity-changed' as const, previousSeverity: 'warning' }, true],
    ['a critical alert eased to a warning (the webhook was told of it)', critical, { alert: alert('restricted', 'warning'), change: 'severity-changed' as const, previousSeverity: 'critical' }, true],
    ['a resolution, whatever its severity', critical, { alert: alert('restricted', 'warning'), change: 'resolved' as const }, true],
    ['another kind, not even resolved', restrictedOnly, { alert: alert('node-silent', 'critical'), change: 'resolved' as const }, false],
    ['its kind', restrictedOnly, { alert: alert('restricted', 'warning'), change: 'fired' as const }, true],
  ])('%s', (_, hook, transition, told) => {
    expect(toldBy(hook)(transition)).toBe(told);
  });
});
