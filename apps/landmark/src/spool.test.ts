import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, generateSigningKey, signMeasurement, type SignedMeasurement } from '@locus/protocol';
import { SpoolError, openSpool } from './spool.js';

const key = generateSigningKey();
const NOW = Date.parse('2026-11-29T09:00:00.000Z');
const measurement = (i: number, measuredAt = '2026-11-29T08:00:00.000Z'): SignedMeasurement =>
  signMeasurement(
    { v: PROTOCOL_VERSION, landmarkId: 'fra-1', landmarkAt: { lat: 50, lon: 8 }, hostKey: key.publicKey, noncesHash: 'A'.repeat(43), rounds: 10, minRttMs: i, medianRttMs: i, measuredAt },
    key.privateKey,
  );
const fileOf = (path: string): number[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as SignedMeasurement).measurement.minRttMs);
const HOUR = 3600_000;

describe('the delivery spool', () => {
  it('starts empty where there is no file, and keeps what is appended and not settled', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'locus-spool-')), 'spool.jsonl');
    const { spool, unreadable, stale } = openSpool(path, { maxAgeMs: 6 * HOUR, now: NOW });
    expect([spool.takeRestored(), unreadable, stale]).toEqual([[], 0, 0]);
    const queue = [0, 1, 2].map((i) => measurement(i));
    for (const m of queue) spool.append(m);
    expect(fileOf(path)).toEqual([0, 1, 2]);
    // Two delivered: the file may still hold them (a crash then sends them again, counted once).
    spool.settled(queue.slice(2), 2);
    spool.close(queue.slice(2));
    expect(fileOf(path)).toEqual([2]);
    const reopened = openSpool(path, { maxAgeMs: 6 * HOUR, now: NOW }).spool;
    expect(reopened.takeRestored().map((m) => m.measurement.minRttMs)).toEqual([2]);
    // Taken once: the spool keeps no copy.
    expect(reopened.takeRestored()).toEqual([]);
  });

  it('is emptied when the queue is, and rewritten once as many have left it as remain', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'locus-spool-')), 'spool.jsonl');
    const { spool } = openSpool(path, { maxAgeMs: 6 * HOUR, now: NOW });
    const queue = Array.from({ length: 2_500 }, (_, i) => measurement(i));
    for (const m of queue) spool.append(m);
    spool.settled(queue.slice(999), 999);
    expect(fileOf(path)).toHaveLength(2_500);
    // 1,000 removed and 1,500 remain: not yet; 1,500 removed against 1,000 left: rewritten.
    spool.settled(queue.slice(1_000), 1);
    expect(fileOf(path)).toHaveLength(2_500);
    spool.settled(queue.slice(1_500), 500);
    expect(fileOf(path)).toEqual(queue.slice(1_500).map((m) => m.measurement.minRttMs));
    spool.settled([], 1_000);
    expect(readFileSync(path, 'utf8')).toBe('');
    spool.append(measurement(7));
    expect(fileOf(path)).toEqual([7]);
    spool.close([measurement(7)]);
  });

  it('leaves out lines that are not signed measurements, a torn last one among them, and ones the server would refuse as stale', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'locus-spool-')), 'spool.jsonl');
    const kept = measurement(1);
    const old = measurement(2, new Date(NOW - 7 * HOUR).toISOString());
    const forged = { ...measurement(3), signature: 'x' };
    writeFileSync(path, `${JSON.stringify(kept)}\n${JSON.stringify(old)}\nnot json\n${JSON.stringify({ measurement: 1 })}\n${JSON.stringify(forged).slice(0, 50)}`);
    const opened = openSpool(path, { maxAgeMs: 6 * HOUR, now: NOW });
    const restored = opened.spool.takeRestored();
    expect(restored).toEqual([kept]);
    expect([opened.unreadable, opened.stale]).toEqual([3, 1]);
    expect(fileOf(path)).toEqual([1]);
    opened.spool.close(restored);
  });

  it('refuses a file it cannot read or write, saying which', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-spool-'));
    writeFileSync(join(dir, 'a-file'), '');
    const read = (() => {
      try {
        return openSpool(join(dir, 'a-file', 'spool.jsonl'), { maxAgeMs: HOUR, now: NOW });
      } catch (error) {
        return error;
      }
    })();
    expect(read).toBeInstanceOf(SpoolError);
    expect(read).toMatchObject({ reading: true, message: expect.stringMatching(/cannot read the spool .*a-file\/spool\.jsonl: ENOTDIR/) });
    expect(() => openSpool(join(dir, 'no-such-dir', 'spool.jsonl'), { maxAgeMs: HOUR, now: NOW })).toThrow(expect.objectContaining({ reading: false, message: expect.stringMatching(/cannot write the spool .*: ENOENT/) }));
  });

  it('goes on in memory when a write fails, and says so once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-spool-'));
    const problems: string[] = [];
    const { spool } = openSpool(join(dir, 'spool.jsonl'), { maxAgeMs: HOUR, now: NOW, onProblem: (m) => problems.push(m) });
    spool.close([]);
    // Closed: every write now fails.
    spool.append(measurement(1));
    spool.append(measurement(2));
    expect(problems).toEqual([expect.stringMatching(/^cannot append to the spool .*spool\.jsonl \(.*\); measurements queued meanwhile are lost if the landmark stops before delivering them$/)]);
  });
});
