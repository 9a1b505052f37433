import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CALIBRATION_SOFTWARE, PROTOCOL_VERSION, generateSigningKey, signMeasurement, verifyMeasurementSignature, type SignedMeasurement } from '@locus/protocol';
import { startResponder } from '@locus/responder';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const bin = join(root, 'apps/cli/bin/locus.js');

/** `locus landmark serve ARGS` on a free loopback port, its output gathered. */
function serve(args: readonly string[]) {
  const child = spawn(process.execPath, [bin, 'landmark', 'serve', '--host', '127.0.0.1', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const until = async (check: () => boolean, what: string) => {
    const end = performance.now() + 20_000;
    while (!check()) {
      if (performance.now() > end) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    child,
    exited,
    until,
    stdout: () => stdout,
    stderr: () => stderr,
    /** Its timing endpoint, once it says it listens. */
    listening: async () => {
      await until(() => /listening on ws:\/\/\S+?;/.test(stderr), 'the landmark to listen');
      return /listening on (ws:\/\/\S+?);/.exec(stderr)![1]!;
    },
  };
}

describe('locus landmark serve, as a process', () => {
  it('measures a host, prints and delivers the signed measurement, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-landmark-'));
    const keygen = spawnSync(process.execPath, [bin, 'landmark', 'keygen', '--out', dir], { encoding: 'utf8' });
    expect(keygen.status).toBe(0);
    const publicKey = keygen.stdout.trim();

    const delivered: SignedMeasurement[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/api/v1/measurements') delivered.push(...(JSON.parse(body) as { measurements: SignedMeasurement[] }).measurements);
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const landmark = serve(['--id', 'fra-1', '--lat', '50.1109', '--lon', '8.6821', '--country', 'DE', '--key', join(dir, 'landmark.key'), '--rounds', '3', '--server', serverUrl, '--metrics', '127.0.0.1:0']);
    const { child, exited, until } = landmark;
    try {
      const url = await landmark.listening();
      expect(landmark.stderr()).toContain(`public key ${publicKey}`);
      // A landmark calibrating against this one (locus landmark calibrate): measured and answered, not delivered.
      const peer = generateSigningKey();
      const calibrating = startResponder({ url, key: peer, software: CALIBRATION_SOFTWARE });
      await until(() => calibrating.measurements().length > 0 && landmark.stderr().includes(`host ${peer.publicKey}: a landmark calibrating against this one: measured and answered, not delivered`), 'the calibration answered');
      await calibrating.close();
      const host = generateSigningKey();
      const responder = startResponder({ url, key: host });
      await until(() => landmark.stdout().includes('\n') && delivered.length > 0, 'a measurement printed and delivered');
      // Its metrics, while the host is still connected.
      const metricsUrl = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)\n/.exec(landmark.stderr())![1]!;
      await until(() => /delivered \d+ measurement/.test(landmark.stderr()), 'the delivery logged');
      const metrics = await (await fetch(metricsUrl)).text();
      expect(metrics).toMatch(/^locus_landmark_hosts_connected 1$/m);
      expect(metrics).toMatch(/^locus_landmark_measurements_total [1-9]\d*$/m);
      expect(metrics).toMatch(/^locus_landmark_delivery_measurements_total\{result="delivered"\} [1-9]\d*$/m);
      expect(metrics).toMatch(new RegExp(`^locus_landmark_info\\{landmark_id="fra-1",country="DE",public_key="${publicKey}",version="\\d+\\.\\d+\\.\\d+[^"]*"\\} 1$`, 'm'));
      const elsewhere = await fetch(metricsUrl.replace(/\/metrics$/, '/'));
      expect([elsewhere.status, await elsewhere.text()]).toEqual([404, 'not found: this landmark serves only GET /metrics\n']);
      await responder.close();
      const printed = landmark
        .stdout()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as SignedMeasurement)
        .find((m) => m.measurement.hostKey === host.publicKey)!;
      expect(printed.measurement).toMatchObject({ landmarkId: 'fra-1', hostKey: host.publicKey, rounds: 3 });
      expect(delivered.filter((m) => m.measurement.hostKey === peer.publicKey)).toEqual([]);
      expect(verifyMeasurementSignature(printed, publicKey)).toBe(true);
      expect(delivered[0]).toEqual(printed);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(landmark.stderr()).toMatch(/SIGTERM: stopping/);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => server.close(r));
    }
  });

  it('keeps in --spool what the server did not take when it stops, and sends it at its next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-landmark-'));
    spawnSync(process.execPath, [bin, 'landmark', 'keygen', '--out', dir]);
    let up = false;
    const delivered: SignedMeasurement[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (!up) return res.writeHead(503).end('{"code":"LOCUS_ERR_STOPPING"}');
        delivered.push(...(JSON.parse(body) as { measurements: SignedMeasurement[] }).measurements);
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const spool = join(dir, 'spool.jsonl');
    const args = ['--id', 'fra-1', '--lat', '50.1109', '--lon', '8.6821', '--country', 'DE', '--key', join(dir, 'landmark.key'), '--rounds', '3', '--server', `http://127.0.0.1:${(server.address() as AddressInfo).port}`, '--spool', spool];
    const first = serve(args);
    let second: ReturnType<typeof serve> | undefined;
    try {
      const responder = startResponder({ url: await first.listening(), key: generateSigningKey() });
      await first.until(() => /server unreachable \(HTTP 503\)/.test(first.stderr()), 'a delivery the server turns away');
      await responder.close();
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      const printed = first.stdout().trim().split('\n').map((l) => JSON.parse(l) as SignedMeasurement);
      expect(first.stderr()).toContain(`kept ${printed.length} undelivered measurement(s) in the spool for the next start`);
      expect(readFileSync(spool, 'utf8').trim().split('\n')).toHaveLength(printed.length);

      up = true;
      second = serve(args);
      await second.listening();
      await second.until(() => delivered.length === printed.length, 'the kept measurements delivered');
      expect(delivered).toEqual(printed);
      expect(second.stderr()).toContain(`sending ${printed.length} measurement(s) an earlier run kept in the spool`);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(readFileSync(spool, 'utf8')).toBe('');
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
      await new Promise((r) => server.close(r));
    }
  });

  it('exits with LOCUS_ERR_LISTEN when its port is taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-landmark-'));
    spawnSync(process.execPath, [bin, 'landmark', 'keygen', '--out', dir]);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = String((blocker.address() as AddressInfo).port);
    const r = spawnSync(process.execPath, [bin, 'landmark', 'serve', '--id', 'x', '--lat', '0', '--lon', '0', '--country', 'DE', '--key', join(dir, 'landmark.key'), '--host', '127.0.0.1', '--port', port], { encoding: 'utf8', timeout: 20_000 });
    await new Promise((res) => blocker.close(res));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/LOCUS_ERR_LISTEN: .*cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });

  // A landmark already running on the port (with the same --spool, say): the second one ends, leaving no delivery behind to keep it alive.
  it.each([
    ['its port', (taken: string) => ['--port', taken]],
    ['its metrics address', (taken: string) => ['--port', '0', '--metrics', `127.0.0.1:${taken}`]],
  ])('exits with LOCUS_ERR_LISTEN when %s is taken though it has measurements to deliver, and leaves its --spool as it was', async (_, listen) => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-landmark-'));
    spawnSync(process.execPath, [bin, 'landmark', 'keygen', '--out', dir]);
    const key = generateSigningKey();
    const kept = signMeasurement({ v: PROTOCOL_VERSION, landmarkId: 'x', landmarkAt: { lat: 0, lon: 0 }, hostKey: key.publicKey, noncesHash: 'A'.repeat(43), rounds: 3, minRttMs: 1, medianRttMs: 1, measuredAt: new Date().toISOString() }, key.privateKey);
    const spool = join(dir, 'spool.jsonl');
    writeFileSync(spool, `${JSON.stringify(kept)}\n`);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = String((blocker.address() as AddressInfo).port);
    // A server that never answers: a delivery left running would keep the process alive.
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const r = await new Promise<{ status: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, [bin, 'landmark', 'serve', '--id', 'x', '--lat', '0', '--lon', '0', '--country', 'DE', '--key', join(dir, 'landmark.key'), '--host', '127.0.0.1', ...listen(taken), '--server', `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, '--spool', spool], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', (status) => {
          clearTimeout(timer);
          done({ status, stderr });
        });
      });
      expect(r.stderr).toMatch(/locus: error LOCUS_ERR_LISTEN: locus landmark serve: cannot (listen on|serve metrics on) 127\.0\.0\.1:\d+: .*EADDRINUSE/);
      expect(r.status).toBe(1);
      expect(readFileSync(spool, 'utf8')).toBe(`${JSON.stringify(kept)}\n`);
    } finally {
      silent.closeAllConnections();
      await new Promise((res) => silent.close(res));
      await new Promise((res) => blocker.close(res));
    }
  });

  it.skipIf(process.platform !== 'linux')('warns at start when it may open fewer files than it takes hosts, which the kernel would refuse without a word', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-landmark-'));
    spawnSync(process.execPath, [bin, 'landmark', 'keygen', '--out', dir]);
    const args = [bin, 'landmark', 'serve', '--id', 'x', '--lat', '0', '--lon', '0', '--country', 'DE', '--key', join(dir, 'landmark.key'), '--host', '127.0.0.1', '--port', '0'];
    const child = spawn('/bin/sh', ['-c', 'ulimit -n 256 && exec "$0" "$@"', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const end = performance.now() + 20_000;
      // The warning follows the "listening on" line, and may come in a later chunk.
      while (!/listening on[^]*Raise the limit[^\n]*\n/.test(stderr) && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(stderr).toMatch(/warning: this process may open 256 files; hosts past about 156 will be refused by the kernel, unlogged, short of the landmark's 10000\. Raise the limit: ulimit -n, or LimitNOFILE= in its unit\./);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
