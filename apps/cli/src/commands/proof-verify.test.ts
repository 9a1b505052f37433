import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLocus, tempFiles } from '../test-support.js';

const example = new URL('../../../../docs/examples/proof-bundle.json', import.meta.url);

describe('locus proof verify', () => {
  const text = readFileSync(example, 'utf8');

  it('accepts the shipped example bundle', async () => {
    const dir = tempFiles({ 'proof.json': text });
    const r = await runLocus(['proof', 'verify', join(dir, 'proof.json')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^proof holds: host \S+ claims SG\n {2}claim \w+, restricted excluded/);
    expect(r.code).toBe(0);
  });

  it('says why a tampered bundle fails, with exit 1, and as JSON', async () => {
    const bundle = JSON.parse(text) as { measurements: { measurement: { minRttMs: number } }[] };
    bundle.measurements[1]!.measurement.minRttMs += 1;
    const dir = tempFiles({ 'proof.json': JSON.stringify(bundle) });
    const r = await runLocus(['proof', 'verify', join(dir, 'proof.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^proof does NOT hold \(1 problem\):\n {2}LOCUS_ERR_PROOF_MISMATCH at measurements\[1\]\.signature: does not verify/);
    const j = await runLocus(['proof', 'verify', join(dir, 'proof.json'), '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, problems: [{ code: 'LOCUS_ERR_PROOF_MISMATCH', where: 'measurements[1].signature' }] });
  });

  it('checks landmarks against a trust list', async () => {
    const bundle = JSON.parse(text) as { landmarks: { publicKey: string }[] };
    const trusted = bundle.landmarks.slice(1);
    const dir = tempFiles({ 'proof.json': text, 'trust.json': JSON.stringify({ landmarks: trusted }) });
    const r = await runLocus(['proof', 'verify', join(dir, 'proof.json'), '--trust', join(dir, 'trust.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/is not among the trusted landmarks/);
    writeFileSync(join(dir, 'trust.json'), JSON.stringify(bundle.landmarks));
    expect((await runLocus(['proof', 'verify', join(dir, 'proof.json'), '--trust', join(dir, 'trust.json')])).code).toBe(0);
  });

  it.each([
    ['a missing file', {}, 'nope.json', /LOCUS_ERR_INPUT_FILE: cannot read proof file .*nope\.json: no such file/],
    ['a file that is not JSON', { 'p.json': '{"v":1,' }, 'p.json', /LOCUS_ERR_INPUT_VALUE: .*p\.json: not JSON/],
  ])('exits 2 on %s', async (_, files, name, message) => {
    const dir = tempFiles(files);
    const r = await runLocus(['proof', 'verify', join(dir, name)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('exits 1 on JSON that is not a proof, naming the field', async () => {
    const dir = tempFiles({ 'p.json': '{"v":1,"kind":"locus-proof"}' });
    const r = await runLocus(['proof', 'verify', join(dir, 'p.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/LOCUS_ERR_PROOF_MALFORMED at createdAt/);
  });

  it('needs exactly one file', async () => {
    expect((await runLocus(['proof', 'verify'])).stderr).toMatch(/give exactly one proof file, got 0/);
  });
});
