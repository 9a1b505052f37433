import { statSync, writeFileSync, chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLandmarkServer, type DeliveryEvent, type LandmarkServer } from '@locus/landmark';
import { PROTOCOL_VERSION, generateSigningKey, keyFileText, parseKeyFile, signMeasurement, type LandmarkInfo } from '@locus/protocol';
import { runLocus, tempFiles } from '../test-support.js';
import { deliveryLine } from './landmark-serve.js';

const servers: LandmarkServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

/** A landmark to calibrate against; `measured` says, of each host it measured, whether it said it calibrates. */
async function peer(id: string, lat: number, lon: number, country: string, key = generateSigningKey()): Promise<LandmarkServer & { info: LandmarkInfo; measured: { hostKey: string; calibration: boolean }[] }> {
  const info = { id, name: id, country, lat, lon, publicKey: key.publicKey };
  const measured: { hostKey: string; calibration: boolean }[] = [];
  const server = await startLandmarkServer({
    info,
    key: key.privateKey,
    config: { rounds: 3, roundGapMs: { min: 1, max: 2 }, firstMeasureAfterMs: 5 },
    onMeasurement: (m, { calibration }) => measured.push({ hostKey: m.measurement.hostKey, calibration }),
  });
  servers.push(server);
  return { ...server, info, measured };
}

describe('locus landmark keygen', () => {
  it('writes a key only its owner can read, prints the public key, and refuses to overwrite it', async () => {
    const dir = join(tempFiles({}), 'keys');
    const r = await runLocus(['landmark', 'keygen', '--out', dir]);
    expect(r.code).toBe(0);
    const path = join(dir, 'landmark.key');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const key = parseKeyFile(readFileSync(path, 'utf8'));
    expect('publicKey' in key && key.publicKey).toBe(r.stdout.trim());
    const again = await runLocus(['landmark', 'keygen', '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/LOCUS_ERR_KEY_FILE: .*already exists/);
    expect((await runLocus(['landmark', 'keygen', '--out', dir, '--force'])).code).toBe(0);
  });

  it('requires --out', async () => {
    expect((await runLocus(['landmark', 'keygen'])).stderr).toMatch(/missing --out DIR/);
  });

  // Each makes the trouble in a fresh directory and gives the --out to try.
  it.each<[string, (dir: string) => string, readonly string[], number, (dir: string) => string]>([
    [
      'a directory where the key would go',
      (dir: string) => (mkdirSync(join(dir, 'landmark.key')), dir),
      ['--force'],
      2,
      (dir: string) => `locus: error LOCUS_ERR_KEY_FILE: locus landmark keygen: ${dir}/landmark.key is a directory, not a key file\nRemove or rename the directory ${dir}/landmark.key, or choose another --out DIR.\n`,
    ],
    [
      'a file where the directory would go',
      (dir: string) => (writeFileSync(join(dir, 'out'), ''), join(dir, 'out')),
      [],
      1,
      (dir: string) => `locus: error LOCUS_ERR_OUTPUT: locus landmark keygen: cannot create the directory ${dir}/out: part of the path is a file, not a directory\nChoose a directory you can write to: --out DIR.\n`,
    ],
  ])('says in one line, with what to do, that it cannot write to %s', async (_, setUp, flags, code, stderr) => {
    const root = tempFiles({});
    const r = await runLocus(['landmark', 'keygen', '--out', setUp(root), ...flags]);
    expect([r.code, r.stdout, r.stderr]).toEqual([code, '', stderr(root)]);
  });

  // Root may write anywhere.
  it.skipIf(process.getuid?.() === 0)('says in one line, with what to do, that it may not write the directory', async () => {
    const dir = tempFiles({});
    chmodSync(dir, 0o500);
    const r = await runLocus(['landmark', 'keygen', '--out', dir]);
    chmodSync(dir, 0o700);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', `locus: error LOCUS_ERR_OUTPUT: locus landmark keygen: cannot write the key to ${dir}/landmark.key: permission denied\nRun keygen as the user the landmark runs as, with --out a directory that user may write (sudo -u locus …).\n`]);
  });
});

describe('locus landmark serve (argument checks)', () => {
  const keyDir = tempFiles({});
  const keyPath = join(keyDir, 'landmark.key');

  it.each([
    [['--lat', '50', '--lon', '8', '--country', 'DE', '--key', 'k'], /missing --id ID/],
    [['--id', 'bad id', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', 'k'], /--id "bad id" must be/],
    [['--id', 'fra', '--lat', '95', '--lon', '8', '--country', 'DE', '--key', 'k'], /--lat must be a number of degrees from -90 to 90, got "95"/],
    [['--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'XX', '--key', 'k'], /unknown country code "XX"/],
    [['--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', 'k', '--port', '70000'], /--port must be a whole number from 0 to 65535, got "70000"/],
    [['--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', 'k', '--rounds', '2.5'], /--rounds must be a whole number of rounds from 1 to 1000, got "2.5"/],
    [['--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', join(keyDir, 'none.key')], /LOCUS_ERR_KEY_FILE: .*no such file/],
    // Hosts would ignore a welcome naming it, and the server refuse to register it.
    [['--id', 'fra', '--name', 'n'.repeat(201), '--lat', '50', '--lon', '8', '--country', 'DE', '--key', 'k'], /--name must be at most 200 characters, got 201/],
    [['--id', 'fra', '--name', 'fra\u001b[2J', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', 'k'], /--name holds U\+001B, a control character/],
    [['--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', 'k', '--token-file', 'token'], /--token-file is the token for --server, which is not given/],
    [['--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', 'k', '--spool', 'spool.jsonl'], /--spool keeps measurements for --server, which is not given/],
    [['--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', 'k', '--metrics', '9402'], /--metrics must be ADDR:PORT, e\.g\. 127\.0\.0\.1:9402 or \[::1\]:9402, got "9402"/],
  ])('refuses %j', async (args, message) => {
    const r = await runLocus(['landmark', 'serve', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('stops, with LOCUS_ERR_LISTEN, when its metrics address is taken', async () => {
    const dir = tempFiles({});
    await runLocus(['landmark', 'keygen', '--out', dir]);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    try {
      const taken = `127.0.0.1:${(blocker.address() as AddressInfo).port}`;
      const r = await runLocus(['landmark', 'serve', '--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', join(dir, 'landmark.key'), '--host', '127.0.0.1', '--port', '0', '--metrics', taken]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`LOCUS_ERR_LISTEN: locus landmark serve: cannot serve metrics on ${taken.replace(/\./g, '\\.')}: .*EADDRINUSE`));
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  // Another landmark on the port, say, with the same --spool: the command returns its error, leaving no delivery running and the spool as it was.
  it.each([
    ['its port', (taken: string) => ['--port', taken]],
    ['its metrics address', (taken: string) => ['--port', '0', '--metrics', `127.0.0.1:${taken}`]],
  ])('ends with LOCUS_ERR_LISTEN when %s is taken, though it has measurements to deliver, sending none', async (_, listen) => {
    const dir = tempFiles({});
    await runLocus(['landmark', 'keygen', '--out', dir]);
    const host = generateSigningKey();
    const kept = signMeasurement({ v: PROTOCOL_VERSION, landmarkId: 'fra', landmarkAt: { lat: 50, lon: 8 }, hostKey: host.publicKey, noncesHash: 'A'.repeat(43), rounds: 3, minRttMs: 1, medianRttMs: 1, measuredAt: new Date().toISOString() }, host.privateKey);
    const spool = join(dir, 'spool.jsonl');
    writeFileSync(spool, `${JSON.stringify(kept)}\n`);
    const blocker = createNetServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    // A server that never answers: each request it gets stays open until its sender gives it up.
    const requests: { closed: boolean }[] = [];
    const silent = createServer((req) => {
      const request = { closed: false };
      requests.push(request);
      req.socket.once('close', () => (request.closed = true));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const taken = String((blocker.address() as AddressInfo).port);
      const args = ['--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', join(dir, 'landmark.key'), '--host', '127.0.0.1', ...listen(taken)];
      const r = await runLocus(['landmark', 'serve', ...args, '--server', `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, '--spool', spool]);
      expect(r.stderr).toMatch(/^locus: error LOCUS_ERR_LISTEN: locus landmark serve: cannot (listen on|serve metrics on) 127\.0\.0\.1:\d+: .*EADDRINUSE/m);
      expect(r.stderr).not.toMatch(/listening on|\n\s+at /);
      // landmark serve reads no PORT: its hint names --port alone.
      if (listen(taken)[0] === '--port' && listen(taken)[1] === taken) expect(r.stderr).toMatch(/\nThe port is in use: pick another with --port\.\n$/);
      expect(r.code).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(requests.filter((q) => !q.closed)).toEqual([]);
      expect(readFileSync(spool, 'utf8')).toBe(`${JSON.stringify(kept)}\n`);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
      await new Promise((r) => blocker.close(r));
    }
  });

  it('refuses a --spool it cannot write, listening no more, with LOCUS_ERR_OUTPUT', async () => {
    const dir = tempFiles({});
    await runLocus(['landmark', 'keygen', '--out', dir]);
    const r = await runLocus(['landmark', 'serve', '--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', join(dir, 'landmark.key'), '--port', '0', '--server', 'http://127.0.0.1:9', '--spool', join(dir, 'none', 'spool.jsonl')]);
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toMatch(/LOCUS_ERR_OUTPUT: locus landmark serve: cannot write the spool \S+none\/spool\.jsonl: ENOENT/);
    expect(r.stderr).not.toMatch(/listening on/);
  });

  it('refuses a --spool another landmark uses, exit 2, leaving it as it was', async () => {
    const dir = tempFiles({ 'spool.jsonl': 'kept by the other\n' });
    await runLocus(['landmark', 'keygen', '--out', dir]);
    const spool = join(dir, 'spool.jsonl');
    // The other landmark's lock, held here as its serve would hold it.
    const { lockFile } = await import('@locus/storage/sqlite-file');
    const other = lockFile(`${spool}.lock`)!;
    try {
      const r = await runLocus(['landmark', 'serve', '--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', join(dir, 'landmark.key'), '--host', '127.0.0.1', '--port', '0', '--server', 'http://127.0.0.1:9', '--spool', spool]);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(/^locus: error LOCUS_ERR_CLI_USAGE: locus landmark serve: another landmark uses the spool \S+spool\.jsonl \(it holds \S+spool\.jsonl\.lock\)\nGive each landmark a --spool of its own/);
      expect(readFileSync(spool, 'utf8')).toBe('kept by the other\n');
    } finally {
      other.release();
    }
  });

  it('refuses a key file that others can read', async () => {
    await runLocus(['landmark', 'keygen', '--out', keyDir, '--force']);
    chmodSync(keyPath, 0o644);
    const r = await runLocus(['landmark', 'serve', '--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', keyPath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/can be read or changed by other users \(mode 644\)\nRun: chmod 600/);
  });

  it('refuses a directory given as the key, saying so rather than to chmod it', async () => {
    const dir = tempFiles({});
    chmodSync(dir, 0o755);
    const r = await runLocus(['landmark', 'serve', '--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', dir]);
    expect(r.stderr).toBe(`locus: error LOCUS_ERR_KEY_FILE: locus landmark serve: cannot read key file ${dir}: it is a directory\nGive the key file itself, DIR/landmark.key from \`locus landmark keygen --out DIR\`.\n`);
    expect(r.code).toBe(2);
  });

  it('refuses an empty --token-file, which would send no token, before it starts', async () => {
    const dir = tempFiles({ token: '\n' });
    await runLocus(['landmark', 'keygen', '--out', dir]);
    const r = await runLocus(['landmark', 'serve', '--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', join(dir, 'landmark.key'), '--server', 'http://127.0.0.1:9', '--token-file', join(dir, 'token'), '--port', '0']);
    expect(r.stderr).toBe(`locus: error LOCUS_ERR_INPUT_FILE: locus landmark serve: cannot read the token from ${join(dir, 'token')}: it is empty\n`);
    expect(r.code).toBe(2);
  });

  it('warns of a --token-file others may read (the token is for a proxy before the server)', async () => {
    const dir = tempFiles({ token: 'proxy-secret\n' });
    await runLocus(['landmark', 'keygen', '--out', dir]);
    const blocker = createNetServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    try {
      const serve = (mode: number) => {
        chmodSync(join(dir, 'token'), mode);
        const port = String((blocker.address() as AddressInfo).port);
        // Its port taken: it warns, then stops, without serving.
        return runLocus(['landmark', 'serve', '--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', join(dir, 'landmark.key'), '--server', 'http://127.0.0.1:9', '--token-file', join(dir, 'token'), '--host', '127.0.0.1', '--port', port]);
      };
      const open = await serve(0o644);
      expect(open.stderr).toContain(`warning: the token file ${join(dir, 'token')} may be read by other users (mode 0644): chmod 600 ${join(dir, 'token')}\n`);
      expect(open.stderr).not.toContain('proxy-secret');
      expect((await serve(0o600)).stderr).not.toMatch(/warning: the token file/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('refuses a file that is not a key', async () => {
    const bad = join(keyDir, 'bad.key');
    writeFileSync(bad, '{"kind":"something"}', { mode: 0o600 });
    expect((await runLocus(['landmark', 'serve', '--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', bad])).stderr).toMatch(/not a Locus key file/);
  });
});

describe('locus landmark serve (delivery log lines)', () => {
  it.each<[DeliveryEvent, string]>([
    [{ kind: 'retrying', count: 3, inMs: 51_316, why: 'HTTP 503' }, 'server unreachable (HTTP 503); 3 queued, retry in 51 s'],
    [{ kind: 'retrying', count: 1, inMs: 420, why: 'HTTP 503' }, 'server unreachable (HTTP 503); 1 queued, retry in 0.4 s'],
    [
      { kind: 'held', cause: 'version', queued: 4, inMs: 45_200, why: 'LOCUS_ERR_PROTO_VERSION: upgrade the server' },
      "server does not read this landmark's protocol version (LOCUS_ERR_PROTO_VERSION: upgrade the server); holding 4 measurement(s), nothing dropped, retry in 45 s: upgrade the server",
    ],
    [
      { kind: 'held', cause: 'refused', queued: 2, inMs: 30_000, why: 'HTTP 404 not found' },
      'server refuses every delivery (HTTP 404 not found); holding 2 measurement(s), nothing dropped, retry in 30 s: check --server, and any proxy before the server',
    ],
    [
      { kind: 'held', cause: 'unregistered', queued: 7, inMs: 59_999, why: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK: landmark "fra-1" is not registered' },
      'server does not know this landmark (LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK: landmark "fra-1" is not registered); holding 7 measurement(s), nothing dropped, retry in 60 s: register it with the server (POST /api/v1/landmarks with its id, place and public key: docs/deploy.md, Landmarks)',
    ],
    [{ kind: 'split', count: 100, size: 50, why: 'HTTP 413 too large' }, 'server refused a batch of 100 measurement(s) whole (HTTP 413 too large); sending them again in batches of at most 50, nothing dropped'],
    [{ kind: 'rejected', count: 1, status: 400, body: '{"code":"LOCUS_ERR_VALIDATION"}' }, 'server refused 1 measurement(s) sent alone as malformed, which it would refuse again: dropped (HTTP 400 {"code":"LOCUS_ERR_VALIDATION"})'],
  ])('logs %j as a person reads it', (event, line) => expect(deliveryLine(event)).toBe(line));
});

describe('locus landmark calibrate', () => {
  it('finds peers consistent with light, and flags one that claims to be too far', async () => {
    const dir = tempFiles({});
    const self = (await runLocus(['landmark', 'keygen', '--out', dir])).stdout.trim();
    const near = await peer('fra-2', 50.12, 8.7, 'DE');
    const ok = await runLocus(['landmark', 'calibrate', '--key', join(dir, 'landmark.key'), '--lat', '50.11', '--lon', '8.68', '--peer', near.url, '--timeout-s', '10']);
    expect(ok.stdout).toMatch(/^consistent +fra-2 \(DE, 50\.12, 8\.7\): 2 km/);
    expect(ok.code).toBe(0);
    // It said it calibrates: the peer keeps the measurement from its server.
    expect(near.measured).toEqual([{ hostKey: self, calibration: true }]);
    const far = await peer('tyo', 35.68, 139.65, 'JP');
    const bad = await runLocus(['landmark', 'calibrate', '--key', join(dir, 'landmark.key'), '--lat', '50.11', '--lon', '8.68', '--peer', near.url, '--peer', far.url, '--timeout-s', '10']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/TOO FAST +tyo \(JP, 35\.68, 139\.65\): \d+ km, .* one of the two landmarks is not where it says/);
  });

  it('says a peer that answers with its own key is itself, not a peer, and checks nothing there (exit 1)', async () => {
    const dir = tempFiles({});
    const key = generateSigningKey();
    writeFileSync(join(dir, 'landmark.key'), keyFileText(key), { mode: 0o600 });
    const mirror = await peer('fra-1', 50.11, 8.68, 'DE', key);
    const r = await runLocus(['landmark', 'calibrate', '--key', join(dir, 'landmark.key'), '--lat', '50.11', '--lon', '8.68', '--peer', mirror.url, '--timeout-s', '10']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ITSELF +fra-1 at ws:\/\/.* answers with this landmark's own key: it is this landmark, or another with a copy of its key, not a peer; nothing checked\n$/);
  });

  it('holds peers and itself to the places --trust lists, not the ones they greet with, and reports a peer it does not list', async () => {
    const dir = tempFiles({});
    const self = (await runLocus(['landmark', 'keygen', '--out', dir])).stdout.trim();
    const near = await peer('fra-2', 50.12, 8.7, 'DE');
    const stranger = await peer('fra-3', 50.1, 8.6, 'DE');
    const own = { id: 'fra-1', name: 'fra-1', country: 'DE', lat: 50.11, lon: 8.68, publicKey: self };
    const write = (landmarks: LandmarkInfo[]) => {
      writeFileSync(join(dir, 'trust.json'), JSON.stringify({ landmarks }));
      return ['landmark', 'calibrate', '--key', join(dir, 'landmark.key'), '--trust', join(dir, 'trust.json'), '--timeout-s', '10'];
    };
    // Its own place is read from the list by its key: no --lat, --lon.
    const ok = await runLocus([...write([own, near.info]), '--peer', near.url]);
    expect([ok.code, ok.stdout]).toEqual([0, expect.stringMatching(/^consistent +fra-2 \(DE, 50\.12, 8\.7\): 2 km[^\n]*\n$/)]);
    // Registered in Tokyo, it answers from beside Frankfurt and greets (and signs) as there: too fast for where it is held to be.
    const moved = await runLocus([...write([own, { ...near.info, lat: 35.68, lon: 139.65 }]), '--peer', near.url]);
    expect(moved.code).toBe(1);
    expect(moved.stdout).toMatch(/^TOO FAST +fra-2 \(DE, 35\.68, 139\.65\): \d+ km, .* one of the two landmarks is not where it says; it greeted as at 50\.12, 8\.7, not the place trusted\n$/);
    const unlisted = await runLocus([...write([own, near.info]), '--peer', near.url, '--peer', stranger.url]);
    expect(unlisted.code).toBe(1);
    expect(unlisted.stdout).toContain(`UNTRUSTED   fra-3 (key ${stranger.info.publicKey}) at ${stranger.url}: its key is not in the trust list\n`);
  });

  it('refuses a place --trust does not give it, and wants one where --trust does not list it', async () => {
    const dir = tempFiles({});
    const self = (await runLocus(['landmark', 'keygen', '--out', dir])).stdout.trim();
    const trust = (landmarks: object[]) => {
      writeFileSync(join(dir, 'trust.json'), JSON.stringify(landmarks));
      return ['landmark', 'calibrate', '--key', join(dir, 'landmark.key'), '--trust', join(dir, 'trust.json'), '--peer', 'ws://127.0.0.1:9/v1/timing', '--timeout-s', '1'];
    };
    const elsewhere = await runLocus([...trust([{ id: 'fra-1', name: 'fra-1', country: 'DE', lat: 50.11, lon: 8.68, publicKey: self }]), '--lat', '48.86', '--lon', '2.35']);
    expect([elsewhere.code, elsewhere.stdout]).toEqual([2, '']);
    expect(elsewhere.stderr).toMatch(/--lat 48\.86 --lon 2\.35 is not the place --trust \S+ lists for this landmark's key \(fra-1: 50\.11, 8\.68\)/);
    const missing = await runLocus(trust([]));
    expect([missing.code, missing.stdout]).toEqual([2, '']);
    expect(missing.stderr).toMatch(/does not list this landmark's key, so --lat and --lon are needed/);
    const bad = await runLocus(trust([{ id: 'fra-1' }]));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/LOCUS_ERR_INPUT_VALUE: .*trust\.json: not a list of landmarks/);
  });

  it('reports a peer that does not answer', async () => {
    const dir = tempFiles({});
    await runLocus(['landmark', 'keygen', '--out', dir]);
    const r = await runLocus(['landmark', 'calibrate', '--key', join(dir, 'landmark.key'), '--lat', '0', '--lon', '0', '--peer', 'ws://127.0.0.1:9/v1/timing', '--timeout-s', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^no answer +ws:\/\/127\.0\.0\.1:9\/v1\/timing: no measurement within 1 s/);
  });

  it('says why a peer could not be reached: nothing listening, or not a landmark', async () => {
    const dir = tempFiles({});
    await runLocus(['landmark', 'keygen', '--out', dir]);
    const notLandmark = createServer((_, res) => res.writeHead(404).end());
    await new Promise<void>((r) => notLandmark.listen(0, '127.0.0.1', r));
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    try {
      const refused = `ws://127.0.0.1:${closedPort}/v1/timing`;
      const wrong = `ws://127.0.0.1:${(notLandmark.address() as AddressInfo).port}/v1/timing`;
      const r = await runLocus(['landmark', 'calibrate', '--key', join(dir, 'landmark.key'), '--lat', '0', '--lon', '0', '--peer', refused, '--peer', wrong, '--timeout-s', '1']);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe(
        `no answer   ${refused}: no measurement within 1 s (last try: connect ECONNREFUSED 127.0.0.1:${closedPort})\n` +
          `no answer   ${wrong}: no measurement within 1 s (last try: Unexpected server response: 404)\n`,
      );
    } finally {
      await new Promise((r) => notLandmark.close(r));
    }
  });

  it.each([['notaurl'], ['http://peer.example:7443/v1/timing'], ['ws://'], ['ws://peer example/v1/timing']])('refuses --peer %s at once, before connecting to any peer', async (url) => {
    const dir = tempFiles({});
    await runLocus(['landmark', 'keygen', '--out', dir]);
    const r = await runLocus(['landmark', 'calibrate', '--key', join(dir, 'landmark.key'), '--lat', '0', '--lon', '0', '--peer', 'ws://127.0.0.1:9/v1/timing', '--peer', url, '--timeout-s', '5']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`locus: error LOCUS_ERR_CLI_USAGE: locus landmark calibrate: --peer must be a ws:// or wss:// URL, got "${url}"\nFor example: --peer ws://landmark.example:7443/v1/timing\n`);
    expect(r.code).toBe(2);
  });
});
