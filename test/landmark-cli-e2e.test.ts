import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, verifyMeasurementSignature, type SignedMeasurement } from '@locus/protocol';
import { startResponder } from '@locus/responder';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const bin = join(root, 'apps/cli/bin/locus.js');

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

    const child = spawn(process.execPath, [bin, 'landmark', 'serve', '--id', 'fra-1', '--lat', '50.1109', '--lon', '8.6821', '--country', 'DE', '--key', join(dir, 'landmark.key'), '--host', '127.0.0.1', '--port', '0', '--rounds', '3', '--server', serverUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const until = async (check: () => boolean, what: string) => {
        const end = performance.now() + 20_000;
        while (!check()) {
          if (performance.now() > end) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await until(() => /listening on ws:\/\//.test(stderr), 'the landmark to listen');
      const url = /listening on (ws:\/\/\S+?);/.exec(stderr)![1]!;
      expect(stderr).toContain(`public key ${publicKey}`);
      const host = generateSigningKey();
      const responder = startResponder({ url, key: host });
      await until(() => stdout.includes('\n') && delivered.length > 0, 'a measurement printed and delivered');
      await responder.close();
      const printed = JSON.parse(stdout.split('\n')[0]!) as SignedMeasurement;
      expect(printed.measurement).toMatchObject({ landmarkId: 'fra-1', hostKey: host.publicKey, rounds: 3 });
      expect(verifyMeasurementSignature(printed, publicKey)).toBe(true);
      expect(delivered[0]).toEqual(printed);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/SIGTERM: stopping/);
    } finally {
      child.kill('SIGKILL');
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
