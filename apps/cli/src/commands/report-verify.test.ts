import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, reportKeyDocument, signReport } from '@locus/protocol';
import { runLocus, tempFiles } from '../test-support.js';

const key = generateSigningKey();
const CSV = 'node_id,node_name\nn1,fra-01\n';
const signature = signReport(Buffer.from(CSV), { reportId: 'r-1', orgId: 'org-a', report: 'fleet', format: 'csv', zoneId: null, createdAt: '2026-11-29T12:00:00.000Z' }, key);

function files(extra: Record<string, string> = {}) {
  const dir = tempFiles({ 'fleet.csv': CSV, 'fleet.csv.sig': JSON.stringify(signature), 'key.json': JSON.stringify(reportKeyDocument(key.publicKey)), ...extra });
  return (name: string) => join(dir, name);
}

describe('locus report verify', () => {
  it('accepts a report signed by the trusted key and says what it is', async () => {
    const f = files();
    const r = await runLocus(['report', 'verify', f('fleet.csv'), f('fleet.csv.sig'), '--key', f('key.json')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^report verifies: \S+fleet\.csv \(28 bytes, SHA-256 \S{43}\)\n {2}fleet report r-1, CSV, organization org-a, every zone, made 2026-11-29T12:00:00.000Z\n {2}signed by \S{43} \(the key in \S+key\.json\)\n$/);
    expect(r.code).toBe(0);
  });

  it('refuses an altered file and a key it was not told to trust, with exit 1 and each reason', async () => {
    const f = files({ 'altered.csv': CSV.replace('fra-01', 'fra-02'), 'other.json': JSON.stringify(reportKeyDocument(generateSigningKey().publicKey)) });
    const altered = await runLocus(['report', 'verify', f('altered.csv'), f('fleet.csv.sig'), '--key', f('key.json')]);
    expect(altered.stdout).toBe('report does NOT verify (1 problem):\n  the file differs from the one signed (SHA-256 mismatch)\n');
    expect(altered.code).toBe(1);
    const untrusted = await runLocus(['report', 'verify', f('fleet.csv'), f('fleet.csv.sig'), '--key', f('other.json'), '--json']);
    expect(JSON.parse(untrusted.stdout)).toEqual({ ok: false, problems: [expect.stringMatching(/^signed by key \S+, which is not the key you trust/)] });
    expect(untrusted.code).toBe(1);
  });

  it('fetches the key from a server with --server', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/.well-known/locus-report-key') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reportKeyDocument(key.publicKey)));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const f = files();
      const r = await runLocus(['report', 'verify', f('fleet.csv'), f('fleet.csv.sig'), '--server', `http://127.0.0.1:${(server.address() as AddressInfo).port}`]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/the key in http:\/\/127\.0\.0\.1:\d+\/\.well-known\/locus-report-key/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it.each(['/locus', '/locus/', '/locus//'])('fetches the key from under the path of --server http://HOST%s', async (path) => {
    const asked: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url);
      if (req.url === '/locus/.well-known/locus-report-key') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reportKeyDocument(key.publicKey)));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const f = files();
      const r = await runLocus(['report', 'verify', f('fleet.csv'), f('fleet.csv.sig'), '--server', `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(asked).toEqual(['/locus/.well-known/locus-report-key']);
      expect(r.stdout).toMatch(/the key in http:\/\/127\.0\.0\.1:\d+\/locus\/\.well-known\/locus-report-key\)/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it.each([
    [['a'], /give the report file and its signature file, got 1/],
    [['a', 'b'], /say which key to trust with exactly one of --key or --server/],
    [['a', 'b', '--key', 'k', '--server', 'http://x'], /exactly one of --key or --server/],
    [['a', 'b', '--server', 'not a url'], /--server not a url is not a URL/],
  ])('exits 2 with a usage error for %j', async (args, message) => {
    const r = await runLocus(['report', 'verify', ...args]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('exits 2 on unreadable or malformed input, naming the file', async () => {
    const f = files({ 'bad.json': '{', 'notkey.json': '{"kind":"something"}' });
    const missing = await runLocus(['report', 'verify', f('nope.csv'), f('fleet.csv.sig'), '--key', f('key.json')]);
    expect(missing.stderr).toMatch(/LOCUS_ERR_INPUT_FILE: cannot read report file \S+nope\.csv: no such file/);
    expect(missing.code).toBe(2);
    const badKey = await runLocus(['report', 'verify', f('fleet.csv'), f('fleet.csv.sig'), '--key', f('bad.json')]);
    expect(badKey.stderr).toMatch(/LOCUS_ERR_INPUT_VALUE: \S+bad\.json: not JSON/);
    expect(badKey.code).toBe(2);
    const dirAsSig = await runLocus(['report', 'verify', f('fleet.csv'), f(''), '--key', f('key.json')]);
    expect(dirAsSig.stderr).toMatch(/LOCUS_ERR_INPUT_FILE: cannot read signature file \S+: it is a directory/);
    expect(dirAsSig.code).toBe(2);
    const notKey = await runLocus(['report', 'verify', f('fleet.csv'), f('fleet.csv.sig'), '--key', f('notkey.json')]);
    expect(notKey.stderr).toMatch(/notkey\.json: not a Locus report key/);
    expect(notKey.code).toBe(2);
  });

  it('says which file is which when the report, its signature and the key trade places', async () => {
    const f = files();
    const swapped = await runLocus(['report', 'verify', f('fleet.csv.sig'), f('fleet.csv'), '--key', f('key.json')]);
    expect(swapped.stdout).toMatch(/^report does NOT verify \(2 problems\):\n {2}FILE is a signature and SIG is not: give the report first, then its signature .*\n {2}not a Locus report signature: the file is not JSON/);
    expect(swapped.code).toBe(1);
    const keyAsSig = await runLocus(['report', 'verify', f('fleet.csv'), f('key.json'), '--key', f('key.json')]);
    expect(keyAsSig.stdout).toMatch(/\n {2}SIG is the report key, not a signature: give the key with --key/);
    expect(keyAsSig.code).toBe(1);
    const sigAsKey = await runLocus(['report', 'verify', f('fleet.csv'), f('fleet.csv.sig'), '--key', f('fleet.csv.sig')]);
    expect(sigAsKey.stderr).toMatch(/fleet\.csv\.sig: not a Locus report key .*\nThat is a report's signature: the key is the document saved from the server's \/\.well-known\/locus-report-key\./);
    expect(sigAsKey.code).toBe(2);
  });

  const good = signature.signature;
  it.each([
    ['an empty file', '', /^not a Locus report signature: the file is empty \(a Locus report signature is the JSON document saved beside the report/],
    ['only blank lines', '\n\n', /^not a Locus report signature: the file is empty/],
    ['the bare signature, base64url', `${good}\n`, /^not a Locus report signature: the file is not JSON/],
    ['base64 of the wrong length', Buffer.alloc(32).toString('base64'), /^not a Locus report signature: the file is not JSON/],
    ['the bare signature as a JSON string', JSON.stringify(good), /^not a Locus report signature \(document: .*expected object, received string\)/],
    ['JSON null', 'null', /^not a Locus report signature \(document: .*received null\)/],
    ['an empty object', '{}', /^not a Locus report signature \(kind: /],
    ['a signature of the wrong length', JSON.stringify({ ...signature, signature: Buffer.alloc(32).toString('base64url') }), /^not a Locus report signature \(signature: .*86 characters\)/],
    ['a signature of the right length that is not base64url', JSON.stringify({ ...signature, signature: '!'.repeat(86) }), /^the signature does not match the statement/],
  ])('does not verify %s as a signature: exit 1, the reason on stdout, as text and as JSON', async (_, text, reason) => {
    const f = files({ 'odd.sig': text });
    const r = await runLocus(['report', 'verify', f('fleet.csv'), f('odd.sig'), '--key', f('key.json')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^report does NOT verify \(1 problem\):\n {2}/);
    expect(r.stdout.split('\n')[1]!.trim()).toMatch(reason);
    expect(r.code).toBe(1);
    const json = await runLocus(['report', 'verify', f('fleet.csv'), f('odd.sig'), '--key', f('key.json'), '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ ok: false, problems: [expect.stringMatching(reason)] });
    expect(json.code).toBe(1);
  });

  it('unreachable server is a clear error, not a stack trace', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const f = files();
    const r = await runLocus(['report', 'verify', f('fleet.csv'), f('fleet.csv.sig'), '--server', `http://127.0.0.1:${port}`]);
    expect(r.stderr).toMatch(/LOCUS_ERR_SERVER_REFUSED: locus report verify: cannot read http:\/\/127\.0\.0\.1:\d+\/\.well-known\/locus-report-key: fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+\n/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(1);
  });
});
