import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectoryError, makeDirectory } from './directory.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'locus-dir-'));
const modeOf = (path: string) => statSync(path).mode & 0o777;

/**
 * makeDirectory in a process of its own, killed after 10 s: what Node's recursive mkdir does
 * under /proc is to spin in native code, which no timer in this process could interrupt.
 */
function makeInChild(path: string): { readonly ms: number; readonly timedOut: boolean; readonly thrown: unknown } {
  const script = `import { makeDirectory } from ${JSON.stringify(new URL('./directory.ts', import.meta.url).href)};
try { makeDirectory(${JSON.stringify(path)}, 0o700); process.stdout.write('null'); }
catch (e) { process.stdout.write(JSON.stringify({ name: e.name, message: e.message, path: e.path, reason: e.reason })); }`;
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL' });
  const timedOut = r.signal === 'SIGKILL';
  return { ms: performance.now() - started, timedOut, thrown: timedOut ? undefined : (JSON.parse(r.stdout || 'null') as unknown) };
}

describe('makeDirectory', () => {
  it.each([
    ['/proc/locus-test/state', '/proc/locus-test/state'],
    ['/proc/locus-test', '/proc/locus-test'],
  ])('fails at once under /proc, naming %s, where Node\'s recursive mkdir never returns', (path, named) => {
    const r = makeInChild(path);
    expect(r.timedOut, `makeDirectory had not returned after ${Math.round(r.ms)} ms`).toBe(false);
    expect(r.thrown).toEqual({ name: 'DirectoryError', message: `cannot create the directory ${named}: a directory cannot be made there`, path: named, reason: 'a directory cannot be made there' });
  }, 30_000);

  it('makes every missing level of a nested path, each with the mode given', () => {
    const root = fresh();
    const path = join(root, 'a', 'b', 'c');
    makeDirectory(path, 0o700);
    for (const dir of [join(root, 'a'), join(root, 'a', 'b'), path]) {
      expect(statSync(dir).isDirectory()).toBe(true);
      expect(modeOf(dir).toString(8), dir).toBe('700');
    }
  });

  it('makes directories with the default mode when none is given', () => {
    const path = join(fresh(), 'out');
    makeDirectory(path);
    expect(modeOf(path)).toBe(0o777 & ~process.umask());
  });

  it('leaves an existing directory as it is, mode included', () => {
    const path = join(fresh(), 'kept');
    mkdirSync(path, { mode: 0o755 });
    makeDirectory(path, 0o700);
    makeDirectory(`${path}/`, 0o700);
    expect(modeOf(path)).toBe(0o755 & ~process.umask());
  });

  it('resolves a relative path against the current directory', () => {
    const root = fresh();
    const cwd = process.cwd();
    try {
      process.chdir(root);
      makeDirectory('rel/dir');
    } finally {
      process.chdir(cwd);
    }
    expect(statSync(join(root, 'rel', 'dir')).isDirectory()).toBe(true);
  });

  it.each([
    ['a file in the path', 'file.txt/out'],
    ['a file where the directory should be', 'file.txt'],
  ])('says why it cannot make a directory: %s', (_, relative) => {
    const root = fresh();
    writeFileSync(join(root, 'file.txt'), 'not a directory');
    const path = join(root, relative);
    expect(() => makeDirectory(path, 0o700)).toThrow(DirectoryError);
    expect(() => makeDirectory(path, 0o700)).toThrow(`cannot create the directory ${path}: part of the path is a file, not a directory`);
  });

  // root may write anywhere
  it.skipIf(process.getuid?.() === 0)('says why it cannot make a directory: a parent it may not write to', () => {
    const root = fresh();
    mkdirSync(join(root, 'locked'), { mode: 0o500 });
    const path = join(root, 'locked', 'out');
    expect(() => makeDirectory(path, 0o700)).toThrow(`cannot create the directory ${path}: permission denied`);
  });
});
