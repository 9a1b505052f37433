import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../open.js';
import { StorageOpenError } from '../storage.js';
import { PGLITE_LOCK_FILE, PGLITE_POSTGRES_MAJOR } from './pglite-dir.js';

const NEW_DIRECTORY = 'Give pglite: a new or empty directory, or one a Locus server made.';
const temp = (): string => mkdtempSync(join(tmpdir(), 'locus-pglite-dir-'));

/** What openStorage threw, as plain data; the database closed again if it opened. */
async function openFailure(dir: string): Promise<{ name: string; message: string; hint: string } | 'opened'> {
  try {
    const storage = await openStorage(`pglite:${dir}`);
    await storage.close();
    return 'opened';
  } catch (error) {
    if (!(error instanceof StorageOpenError)) throw error;
    return { name: error.name, message: error.message, hint: error.hint };
  }
}

describe('a PGlite data directory', () => {
  let made: string;
  beforeAll(async () => {
    made = join(temp(), 'db');
    const storage = await openStorage(`pglite:${made}`);
    await storage.close();
  }, 60_000);

  /** A copy of a database PGlite made, changed by `change`. */
  const copy = (change: (dir: string) => void): string => {
    const dir = join(temp(), 'db');
    cpSync(made, dir, { recursive: true });
    change(dir);
    return dir;
  };

  it('runs the PostgreSQL version its PG_VERSION check expects', async () => {
    const storage = await openStorage('pglite:');
    const { rows } = await sql<{ server_version_num: string }>`show server_version_num`.execute(storage.db);
    await storage.close();
    expect(String(Math.floor(Number(rows[0]!.server_version_num) / 10_000))).toBe(PGLITE_POSTGRES_MAJOR);
  });

  it('opens again once made, and opens an empty directory', async () => {
    expect(await openFailure(made)).toBe('opened');
    expect(await openFailure(temp())).toBe('opened');
  }, 60_000);

  it.each([
    ['holding other files', (dir: string) => writeFileSync(join(dir, 'notes.txt'), 'mine\n'), (dir: string) => `${dir} is not empty and holds no PGlite database (it has no PG_VERSION file)`],
    ['whose PG_VERSION holds junk', (dir: string) => writeFileSync(join(dir, 'PG_VERSION'), '\u0000\u0001junk'), (dir: string) => `${dir} is not a PGlite database: its PG_VERSION file does not hold a version`],
    ['whose PG_VERSION is empty', (dir: string) => writeFileSync(join(dir, 'PG_VERSION'), ''), (dir: string) => `${dir} is not a PGlite database: its PG_VERSION file does not hold a version`],
    ['whose PG_VERSION is a directory', (dir: string) => mkdirSync(join(dir, 'PG_VERSION')), (dir: string) => `${dir} is not a PGlite database: its PG_VERSION cannot be read`],
  ])('is refused when %s, untouched', async (_, change, message) => {
    const dir = temp();
    change(dir);
    expect(await openFailure(dir)).toEqual({ name: 'StorageOpenError', message: message(dir), hint: NEW_DIRECTORY });
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('is refused when another PostgreSQL version made it', async () => {
    const dir = copy((d) => writeFileSync(join(d, 'PG_VERSION'), '18\n'));
    expect(await openFailure(dir)).toEqual({
      name: 'StorageOpenError',
      message: `${dir} holds a PostgreSQL 18 database; the PGlite of this Locus runs PostgreSQL ${PGLITE_POSTGRES_MAJOR}`,
      hint: 'Open it with the Locus (and PGlite) that made it, and move its data with pg_dump; or give pglite: a new directory.',
    });
  });

  it('is refused, naming it, when it may not be entered or written', async () => {
    const dir = temp();
    chmodSync(dir, 0o500);
    expect(await openFailure(dir)).toEqual({ name: 'StorageOpenError', message: `cannot use the directory ${dir}: permission denied`, hint: `Make ${dir} and everything in it readable and writable by this user (chmod -R u+rwX ${dir}).` });
    chmodSync(dir, 0o700);
  });

  it('is refused, naming the file, when a file of the database may not be written', async () => {
    const file = join('global', 'pg_control');
    const dir = copy((d) => chmodSync(join(d, file), 0o400));
    expect(await openFailure(dir)).toEqual({ name: 'StorageOpenError', message: `PGlite cannot write ${join(dir, file)} in its database: permission denied`, hint: `Make ${dir} and everything in it readable and writable by this user (chmod -R u+rwX ${dir}).` });
  }, 60_000);

  it('is refused as damaged when part of it is missing', async () => {
    const dir = copy((d) => rmSync(join(d, 'global'), { recursive: true }));
    expect(await openFailure(dir)).toEqual({
      name: 'StorageOpenError',
      message: `PGlite could not open the PostgreSQL ${PGLITE_POSTGRES_MAJOR} database in ${dir}: it is damaged or incomplete`,
      hint: 'Restore the directory from a backup, or give pglite: a new directory (a new database).',
    });
  }, 60_000);

  it('is held by the process that has it open, and given up on close', async () => {
    const dir = copy(() => {});
    const lock = join(dir, PGLITE_LOCK_FILE);
    const storage = await openStorage(`pglite:${dir}`);
    expect(readFileSync(lock, 'utf8')).toBe(`${process.pid}\n`);
    await storage.close();
    expect(existsSync(lock)).toBe(false);
  }, 60_000);

  it('is refused, naming the process, while another live process holds it; taken over once that one has gone', async () => {
    const dir = copy(() => {});
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, PGLITE_LOCK_FILE), `${other.pid}\n`);
      expect(await openFailure(dir)).toEqual({
        name: 'StorageOpenError',
        message: `${dir} is in use by process ${other.pid}: a PGlite database is opened by one process at a time`,
        hint: `Stop process ${other.pid} first (servers that share a database need PostgreSQL: postgres://…); if it is not Locus, remove ${join(dir, PGLITE_LOCK_FILE)}.`,
      });
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    expect(await openFailure(dir)).toBe('opened');
  }, 60_000);
});
