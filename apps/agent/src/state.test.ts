import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readStateJson, writeAtomically } from './state.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const fileIn = (name: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'locus-state-'));
  dirs.push(dir);
  return join(dir, name);
};

describe('readStateJson', () => {
  it('parses a file once while it stays the same, and anew once another process has replaced it', () => {
    const file = fileIn('simulator.json');
    expect(readStateJson(file)).toBeUndefined();
    writeAtomically(file, JSON.stringify({ faults: [] }));
    const first = readStateJson(file);
    expect(first).toEqual({ faults: [] });
    // The same parse, not a new one: nothing was read again.
    expect(readStateJson(file)).toBe(first);
    writeAtomically(file, JSON.stringify({ faults: [{ kind: 'lost', gpu: 1 }] }));
    expect(readStateJson(file)).toEqual({ faults: [{ kind: 'lost', gpu: 1 }] });
    rmSync(file);
    expect(readStateJson(file)).toBeUndefined();
  });

  it('throws on a file that is not JSON, every time it is asked', () => {
    const file = fileIn('xids-cleared.json');
    writeFileSync(file, '[not json');
    expect(() => readStateJson(file)).toThrow(SyntaxError);
    expect(() => readStateJson(file)).toThrow(SyntaxError);
  });
});

describe('writeAtomically', () => {
  it('replaces a symlink at the path, never writing where it points, and leaves no temporary file', () => {
    const file = fileIn('agent.key');
    const elsewhere = fileIn('elsewhere');
    writeFileSync(elsewhere, 'not to be touched');
    symlinkSync(elsewhere, file);
    writeAtomically(file, 'new content');
    expect(readFileSync(elsewhere, 'utf8')).toBe('not to be touched');
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect([readFileSync(file, 'utf8'), lstatSync(file).mode & 0o777]).toEqual(['new content', 0o600]);
    expect(readdirSync(dirname(file))).toEqual(['agent.key']);
  });
});
