import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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

describe('a SQLite path the server cannot use', () => {
  const hint = 'Give sqlite: the path of a new file (made there) or of a database a Locus server made, such as DIR/locus.db.';
  it.each([
    ['a directory', (dir: string) => dir, (dir: string) => `${dir} is a directory; sqlite: names the database file`],
    ['a file that is no database', (dir: string) => {
      writeFileSync(join(dir, 'notes.txt'), 'these are not the pages of a database, but a file long enough to hold a header '.repeat(20));
      return join(dir, 'notes.txt');
    }, (dir: string) => `${join(dir, 'notes.txt')} is not a SQLite database (or is encrypted)`],
  ])('is refused, saying so, when it is %s', async (_, made, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-sqlite-bad-'));
    await expect(openStorage(`sqlite:${made(dir)}`)).rejects.toMatchObject({ name: 'StorageOpenError', message: message(dir), hint });
  });
});
