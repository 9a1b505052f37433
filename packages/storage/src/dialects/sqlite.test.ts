import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../open.js';
import { migrateToLatest } from '../migrate.js';

describe('a SQLite database file', () => {
  it('is made readable by its owner only, in a folder only its owner can enter, with its WAL files', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'locus-sqlite-mode-')), 'data');
    const storage = await openStorage(`sqlite:${join(dir, 'locus.db')}`);
    await migrateToLatest(storage);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining(['locus.db', 'locus.db-wal']));
    for (const f of files) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    await storage.close();
  });
});
