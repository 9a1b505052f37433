import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OVERLAY_REVIEWED } from '@locus/geo';
import { describe, expect, it, vi } from 'vitest';
import { runLocus, tempFiles } from '../test-support.js';

const example = new URL('../../../../docs/examples/proof-bundle.json', import.meta.url);

describe('locus proof verify', () => {
  const text = readFileSync(example, 'utf8');

  it('accepts the shipped example bundle against its landmarks, and says when it was made', async () => {
    const bundle = JSON.parse(text) as { createdAt: string; landmarks: unknown[] };
    const dir = tempFiles({ 'proof.json': text, 'trust.json': JSON.stringify(bundle.landmarks) });
    const r = await runLocus(['proof', 'verify', join(dir, 'proof.json'), '--trust', join(dir, 'trust.json')]);
    expect(r.stderr).toBe('');
    const newest = (bundle as unknown as { measurements: { measurement: { measuredAt: string } }[] }).measurements.map((m) => m.measurement.measuredAt).sort().at(-1)!;
    const at = (iso: string) => iso.replace(/[.]/g, '\\.');
    expect(r.stdout).toMatch(
      new RegExp(`^proof holds: host \\S+ claims SG\n {2}newest signed measurement ${at(newest)} \\((\\d+ min|[\\d.]+ h|\\d+ days) ago\\); made ${at(bundle.createdAt)} by its own \\(unsigned\\) word, from measurements of the 1 h before\n {2}claim \\w+, restricted excluded`),
    );
    expect(r.code).toBe(0);
  });

  it('fails a bundle made before bundles recorded their travel speed (and the day their overlay outlines were reviewed) unless told to accept none', async () => {
    const before = readFileSync(new URL('__fixtures__/proof-bundle-before-overlay-day.json', import.meta.url), 'utf8');
    const bundle = JSON.parse(before) as { landmarks: unknown[]; parameters: Record<string, unknown> };
    expect(bundle.parameters).not.toHaveProperty('overlayReviewed');
    expect(bundle.parameters).not.toHaveProperty('travelKmPerH');
    const dir = tempFiles({ 'proof.json': before, 'trust.json': JSON.stringify(bundle.landmarks) });
    // Its verdict holds only a host that stayed in one place across its window.
    const held = await runLocus(['proof', 'verify', join(dir, 'proof.json'), '--trust', join(dir, 'trust.json')]);
    expect(held.stdout).toMatch(/^proof does NOT hold \(1 problem\):\n {2}LOCUS_ERR_PROOF_MISMATCH at parameters\.travelKmPerH: absent: the bundle was made before Locus grew bounds with time/);
    expect(held.code).toBe(1);
    const r = await runLocus(['proof', 'verify', join(dir, 'proof.json'), '--trust', join(dir, 'trust.json'), '--travel-kmh', '0']);
    expect(r.stdout).toMatch(/^proof holds: host \S+ claims SG\n/);
    expect(r.stdout).toMatch(/, travel \(not recorded: none\)\n/);
    expect(r.stdout).toContain("\n  note: the bundle does not say how fast its host may move (it predates the record): recomputed with each landmark's least RTT as it was");
    expect(r.code).toBe(0);
  });

  describe('with the clock at a given time', () => {
    /** Runs `locus proof verify` with the clock it reads (new Date()) at `now`. */
    const verifyAt = async (now: string, args: string[]) => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(now));
      try {
        return await runLocus(['proof', 'verify', ...args]);
      } finally {
        vi.useRealTimers();
      }
    };
    const monthsAfter = (day: string, months: number, ms = 0): string => {
      const d = new Date(`${day}T00:00:00.000Z`);
      d.setUTCMonth(d.getUTCMonth() + months);
      return new Date(d.getTime() + ms).toISOString();
    };
    const fronts = 'above all the fronts of Russian-occupied south-eastern Ukraine, Abkhazia, South Ossetia, Transnistria';
    const bundle = JSON.parse(text) as { landmarks: unknown[]; parameters: { overlayReviewed: string } };
    // The later of the example's day and this Locus's (the same, unless the outlines were reviewed since the example was made).
    const later = [bundle.parameters.overlayReviewed, OVERLAY_REVIEWED].sort().at(-1)!;

    it('notes overlay outlines reviewed more than six months before it runs, naming the fronts, and still exits 0', async () => {
      const dir = tempFiles({ 'proof.json': text, 'trust.json': JSON.stringify(bundle.landmarks) });
      const args = [join(dir, 'proof.json'), '--trust', join(dir, 'trust.json')];
      const fresh = await verifyAt(monthsAfter(later, 6), args);
      expect([fresh.code, fresh.stdout]).toEqual([0, expect.not.stringMatching(/more than 6 months/)]);
      expect(fresh.stdout).toMatch(`, overlay outlines reviewed ${bundle.parameters.overlayReviewed}\n`);
      const due = monthsAfter(later, 6, 1);
      const stale = await verifyAt(due, args);
      expect(stale.code).toBe(0);
      expect(stale.stdout).toMatch(/^proof holds: /);
      expect(stale.stdout).toMatch(new RegExp(`\n {2}note: [^\n]*overlay outlines [^\n]*were reviewed \\d{4}-\\d{2}-\\d{2}, more than 6 months before ${due.slice(0, 10)}: [^\n]*${fronts}`));
      const json = await verifyAt(due, [...args, '--json']);
      expect(json.code).toBe(0);
      expect((JSON.parse(json.stdout) as { ok: boolean; notes: string[] }).notes).toContainEqual(expect.stringContaining(fronts));
    });

    it("notes the verifier's own outlines past review, apart from the bundle's", async () => {
      const newer = structuredClone(bundle);
      const now = monthsAfter(OVERLAY_REVIEWED, 7);
      newer.parameters.overlayReviewed = now.slice(0, 10);
      const dir = tempFiles({ 'proof.json': JSON.stringify(newer), 'trust.json': JSON.stringify(bundle.landmarks) });
      const r = await verifyAt(now, [join(dir, 'proof.json'), '--trust', join(dir, 'trust.json')]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`\n  note: the bundle was judged with overlay outlines reviewed ${now.slice(0, 10)}; recomputed with outlines reviewed ${OVERLAY_REVIEWED}\n`);
      expect(r.stdout).toContain(`\n  note: this verifier's overlay outlines were reviewed ${OVERLAY_REVIEWED}, more than 6 months before ${now.slice(0, 10)}: the lines they follow may have moved since, ${fronts}`);
      expect(r.stdout).not.toMatch(/the bundle was judged with were/);
    });

    it('says a bundle made before the day was recorded does not carry one', async () => {
      const before = readFileSync(new URL('__fixtures__/proof-bundle-before-overlay-day.json', import.meta.url), 'utf8');
      const dir = tempFiles({ 'proof.json': before, 'trust.json': JSON.stringify((JSON.parse(before) as { landmarks: unknown[] }).landmarks) });
      const r = await verifyAt(monthsAfter(OVERLAY_REVIEWED, 1), [join(dir, 'proof.json'), '--trust', join(dir, 'trust.json'), '--travel-kmh', '0']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`\n  note: the bundle does not say when the overlay outlines it was judged with were reviewed (it predates the record); recomputed with outlines reviewed ${OVERLAY_REVIEWED}\n`);
    });
  });

  it('exits 3 without --trust: a bundle whose landmark keys are its own word proves nothing of who measured', async () => {
    const dir = tempFiles({ 'proof.json': text });
    const r = await runLocus(['proof', 'verify', join(dir, 'proof.json')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^proof holds together, landmarks NOT checked \(no --trust\): host \S+ claims SG\n/);
    expect(r.code).toBe(3);
    const j = await runLocus(['proof', 'verify', join(dir, 'proof.json'), '--json']);
    expect([j.code, (JSON.parse(j.stdout) as { ok: boolean; trusted: boolean }).trusted]).toEqual([3, false]);
  });

  it('holds the bundle to a speed model (vacuum unless asked) and, when asked, to an age', async () => {
    const bundle = JSON.parse(text) as { createdAt: string; landmarks: unknown[]; parameters: { speed: unknown } };
    const trust = JSON.stringify(bundle.landmarks);
    const slow = structuredClone(bundle);
    // A slower model shrinks regions (here the stated verdict no longer recomputes either; a bundle made with fiber would).
    slow.parameters.speed = 'fiber';
    const dir = tempFiles({ 'slow.json': JSON.stringify(slow), 'proof.json': text, 'trust.json': trust });
    const t = ['--trust', join(dir, 'trust.json')];
    const r = await runLocus(['proof', 'verify', join(dir, 'slow.json'), ...t]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/LOCUS_ERR_PROOF_MISMATCH at parameters\.speed: judged with speed fiber \(199\.862 km\/ms\), slower than the vacuum you hold it to/);
    expect((await runLocus(['proof', 'verify', join(dir, 'slow.json'), ...t, '--speed', 'fiber'])).stdout).not.toMatch(/parameters\.speed/);
    // 3.6 s: older than that however recently the example was made (test/landmarks-e2e.test.ts writes it).
    const old = await runLocus(['proof', 'verify', join(dir, 'proof.json'), ...t, '--max-age-hours', '0.001']);
    expect(old.code).toBe(1);
    expect(old.stdout).toMatch(/LOCUS_ERR_MEASUREMENT_STALE at measurements\[\d+\]\.measurement\.measuredAt: its newest signed measurement was taken [\d-]+T[\d:.]+Z, [\d.]+ h ago, more than the [\d.]+ h you allow/);
    expect((await runLocus(['proof', 'verify', join(dir, 'proof.json'), ...t, '--max-age-hours', String(24 * 365 * 50)])).code).toBe(0);
    expect((await runLocus(['proof', 'verify', join(dir, 'proof.json'), '--speed', 'warp'])).code).toBe(2);
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

  it('holds the bundle to your parameters, which it does not sign: a shorter restricted list, a narrower margin or a longer window fails', async () => {
    type Bundle = { parameters: { restricted: string[]; marginKm: number; maxAgeMs: number } };
    const forged = JSON.parse(text) as Bundle;
    // Its verdict still recomputes under these: only its parameters betray it.
    forged.parameters.restricted = ['RU'];
    forged.parameters.maxAgeMs = 60 * 3_600_000;
    const dir = tempFiles({ 'forged.json': JSON.stringify(forged) });
    const r = await runLocus(['proof', 'verify', join(dir, 'forged.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^proof does NOT hold \(2 problems\):\n/);
    expect(r.stdout).toMatch(/LOCUS_ERR_PROOF_MISMATCH at parameters\.restricted: leaves out CN, HK, MO, IR, KP, SY, CU, BY, which you hold it to/);
    expect(r.stdout).toMatch(/LOCUS_ERR_PROOF_MISMATCH at parameters\.maxAgeMs: counts measurements for 60 h, longer than the 6 h you hold it to/);
    // Held to those it was judged with (or laxer), it holds, and says what they were.
    writeFileSync(join(dir, 'trust.json'), JSON.stringify((JSON.parse(text) as { landmarks: unknown[] }).landmarks));
    const lax = await runLocus(['proof', 'verify', join(dir, 'forged.json'), '--restricted', 'RU', '--window-hours', '60', '--trust', join(dir, 'trust.json')]);
    expect(lax.code).toBe(0);
    expect(lax.stdout).toMatch(new RegExp(`\n {2}judged with restricted RU, border margin 25 km, window 60 h, speed vacuum, travel 1200 km/h, overlay outlines reviewed ${(forged as unknown as { parameters: { overlayReviewed: string } }).parameters.overlayReviewed}\n`));
    const narrow = JSON.parse(text) as Bundle;
    narrow.parameters.marginKm = 0;
    writeFileSync(join(dir, 'narrow.json'), JSON.stringify(narrow));
    const m = await runLocus(['proof', 'verify', join(dir, 'narrow.json'), '--json']);
    expect(m.code).toBe(1);
    expect((JSON.parse(m.stdout) as { problems: { where: string; message: string }[] }).problems).toContainEqual({ code: 'LOCUS_ERR_PROOF_MISMATCH', where: 'parameters.marginKm', message: 'a border margin of 0 km, less than the 25 km you hold it to' });
    // A host let move slower than you hold it to: a verdict of where it could be that assumes it stayed nearer.
    const still = JSON.parse(text) as { parameters: { travelKmPerH: number } };
    still.parameters.travelKmPerH = 100;
    writeFileSync(join(dir, 'still.json'), JSON.stringify(still));
    const t = await runLocus(['proof', 'verify', join(dir, 'still.json'), '--json']);
    expect(t.code).toBe(1);
    expect((JSON.parse(t.stdout) as { problems: { where: string; message: string }[] }).problems).toContainEqual(expect.objectContaining({ where: 'parameters.travelKmPerH', message: expect.stringMatching(/^lets its host move at 100 km\/h, less than the 1200 km\/h you hold it to/) }));
    // The example, judged with the defaults, holds and says so.
    const ok = await runLocus(['proof', 'verify', join(tempFiles({ 'p.json': text }), 'p.json')]);
    expect(ok.stdout).toMatch(/judged with restricted CN,HK,MO,RU,IR,KP,SY,CU,BY, border margin 25 km, window 1 h, speed vacuum/);
    for (const bad of [['--restricted', 'XX'], ['--margin-km', 'far'], ['--window-hours', '1e9'], ['--travel-kmh', '-5']]) {
      const b = await runLocus(['proof', 'verify', join(dir, 'forged.json'), ...bad]);
      expect(b.code, bad.join(' ')).toBe(2);
      expect(b.stderr).toMatch(/^locus: error LOCUS_ERR_CLI_USAGE: locus proof verify: --/);
    }
  });

  it.each([
    ['a missing file', (dir: string) => join(dir, 'nope.json'), /^locus: error LOCUS_ERR_INPUT_FILE: cannot read proof file .*nope\.json: no such file\n/],
    ['a directory', (dir: string) => dir, /^locus: error LOCUS_ERR_INPUT_FILE: cannot read proof file .*: it is a directory\n/],
  ])('exits 2 on a proof file that cannot be read: %s', async (_, path, message) => {
    const r = await runLocus(['proof', 'verify', path(tempFiles({}))]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  // As report verify treats its signature file: what the document under test holds is a reason it
  // does not hold, named like any other problem (also with --json); bad input is what you supply.
  it.each([
    ['empty', '', '(root)', 'not a Locus proof bundle: the file is empty'],
    ['blank', ' \n', '(root)', 'not a Locus proof bundle: the file is empty'],
    ['not JSON', '{"v":1,', '(root)', 'not a Locus proof bundle: the file is not JSON'],
    ['JSON, but not an object', '[1, 2]', '(root)', 'Invalid input: expected object, received array'],
    ['JSON null', 'null', '(root)', 'Invalid input: expected object, received null'],
    ['an object without the fields of a proof', '{"v":1,"kind":"locus-proof"}', 'createdAt', ''],
    ['a report signature instead of a proof', '{"kind":"locus-report-signature","v":1}', 'kind', ''],
  ])('exits 1 on a proof file that is %s, naming the problem', async (_, text, where, message) => {
    const dir = tempFiles({ 'p.json': text });
    const r = await runLocus(['proof', 'verify', join(dir, 'p.json')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^proof does NOT hold \(\d+ problems?\):\n/);
    expect(r.stdout).toContain(`  LOCUS_ERR_PROOF_MALFORMED at ${where}: ${message}`);
    expect(r.code).toBe(1);
    const j = await runLocus(['proof', 'verify', join(dir, 'p.json'), '--json']);
    expect(j.code).toBe(1);
    const result = JSON.parse(j.stdout) as { ok: boolean; problems: { code: string; where: string; message: string }[] };
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(expect.objectContaining({ code: 'LOCUS_ERR_PROOF_MALFORMED', where, message: expect.stringContaining(message) }));
  });

  it.each([
    ['missing', undefined, /^locus: error LOCUS_ERR_INPUT_FILE: cannot read trusted landmarks file .*trust\.json: no such file\n/],
    ['not JSON', '[{"id":', /^locus: error LOCUS_ERR_INPUT_VALUE: .*trust\.json: not JSON/],
    ['empty', '', /^locus: error LOCUS_ERR_INPUT_VALUE: .*trust\.json: the file is empty\nA trusted landmarks file is a JSON document\.\n$/],
    ['blank lines', '\n\n', /^locus: error LOCUS_ERR_INPUT_VALUE: .*trust\.json: the file is empty\n/],
    ['a landmark, not a list', '{"id":"fra-1"}', /^locus: error LOCUS_ERR_INPUT_VALUE: .*trust\.json: not a list of landmarks \(landmarks: Invalid input: expected array, received undefined\)\nA --trust file is a JSON array of landmarks/],
    ['a list of what are not landmarks', '[{"id":"fra-1"}]', /^locus: error LOCUS_ERR_INPUT_VALUE: .*trust\.json: not a list of landmarks \(0\.name: Invalid input: expected string, received undefined\)\nA --trust file is a JSON array of landmarks/],
    ['a number', '42', /^locus: error LOCUS_ERR_INPUT_VALUE: .*trust\.json: not a list of landmarks \(Invalid input: expected object, received number\)\n/],
  ])('exits 2 on a --trust file that is %s, whatever the proof', async (_, trust, message) => {
    const dir = tempFiles({ 'proof.json': text, 'malformed.json': '{}', ...(trust === undefined ? {} : { 'trust.json': trust }) });
    for (const proof of ['proof.json', 'malformed.json']) {
      const r = await runLocus(['proof', 'verify', join(dir, proof), '--trust', join(dir, 'trust.json')]);
      expect(r.stdout, proof).toBe('');
      expect(r.stderr, proof).toMatch(message);
      expect(r.code, proof).toBe(2);
    }
  });

  it("prints a bundle's unsigned strings with their control characters escaped, so that they cannot rewrite the screen", async () => {
    const bundle = JSON.parse(text) as { landmarks: unknown[]; parameters: { borders: string; engine: string } };
    // Clears the screen, erases the line above (NOT checked), and sets the window title.
    bundle.parameters.borders = 'x\u001b[2J\u001b[1A\u001b[2Kproof holds';
    bundle.parameters.engine = '1.2.0\u001b]0;title\u0007\u202e';
    const dir = tempFiles({ 'evil.json': JSON.stringify(bundle), 'junk.json': '\u001b[31m{' });
    const r = await runLocus(['proof', 'verify', join(dir, 'evil.json')]);
    expect(r.code).toBe(3);
    for (const c of ['\u001b', '\u0007', '\u202e']) expect(r.stdout).not.toContain(c);
    expect(r.stdout).toContain('  note: the bundle used borders "x\\u001b[2J\\u001b[1A\\u001b[2Kproof holds"');
    expect(r.stdout).toContain('geo engine 1.2.0\\u001b]0;title\\u0007\\u202e;');
    const junk = await runLocus(['proof', 'verify', join(dir, 'evil.json'), '--trust', join(dir, 'junk.json')]);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/^locus: error LOCUS_ERR_INPUT_VALUE: .*junk\.json: not JSON \(.*\\u001b\[31m/);
    expect(junk.stderr).not.toContain('\u001b');
  });

  it('takes --restricted "" as its help says: no country the bundle must name', async () => {
    const bundle = JSON.parse(text) as { landmarks: unknown[]; parameters: { restricted: string[] } };
    bundle.parameters.restricted = ['KP'];
    const dir = tempFiles({ 'short.json': JSON.stringify(bundle), 'trust.json': JSON.stringify(bundle.landmarks) });
    const t = ['--trust', join(dir, 'trust.json')];
    expect((await runLocus(['proof', 'verify', join(dir, 'short.json'), ...t])).stdout).toMatch(/parameters\.restricted/);
    expect((await runLocus(['proof', 'verify', join(dir, 'short.json'), ...t, '--restricted', ''])).stdout).not.toMatch(/parameters\.restricted/);
    expect((await runLocus(['proof', 'verify', '--help'])).stdout).toMatch(/"" for none: any list will do/);
  });

  it('refuses a file too large to read as text, with exit 2, before reading it', async () => {
    const dir = tempFiles({ 'huge.json': '' });
    // Sparse: 600 MiB on no disk, more than a JavaScript string holds.
    truncateSync(join(dir, 'huge.json'), 600 * 2 ** 20);
    for (const args of [[join(dir, 'huge.json')], [example.pathname, '--trust', join(dir, 'huge.json')]]) {
      const r = await runLocus(['proof', 'verify', ...args]);
      expect(r.stderr).toMatch(/^locus: error LOCUS_ERR_INPUT_FILE: cannot read (proof|trusted landmarks) file .*huge\.json: it is 600 MiB, more than the 512 MiB Locus reads\n/);
      expect(r.code).toBe(2);
    }
    // A device that never ends, read as a stream: stopped past the limit, not read until memory runs out.
    const zero = await runLocus(['proof', 'verify', '/dev/zero']);
    expect(zero.stderr).toMatch(/^locus: error LOCUS_ERR_INPUT_FILE: cannot read proof file \/dev\/zero: it holds more than the 512 MiB Locus reads\n/);
    expect(zero.code).toBe(2);
  }, 30_000);

  it('needs exactly one file', async () => {
    expect((await runLocus(['proof', 'verify'])).stderr).toMatch(/give exactly one proof file, got 0/);
  });
});
