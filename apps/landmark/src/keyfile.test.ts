import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, keyFileText } from '@locus/protocol';
import { KeyFileError, KeyWriteError, readKey, writeNewKey } from './keyfile.js';

/** A key file of a fresh key with `mode`, in the process's own group (where a new file goes). */
function keyFileWithMode(mode: number) {
  const key = generateSigningKey();
  const path = join(mkdtempSync(join(tmpdir(), 'locus-key-')), 'landmark.key');
  writeFileSync(path, keyFileText(key), { mode: 0o600 });
  chmodSync(path, mode);
  return { key, path };
}

describe.skipIf(process.platform === 'win32')('readKey', () => {
  it.each(['600', '400'])('reads a key file of mode %s', (mode) => {
    const { key, path } = keyFileWithMode(parseInt(mode, 8));
    expect(readKey(path).publicKey).toBe(key.publicKey);
  });

  // The Helm chart mounts the key Secret 0440, its group the pod's fsGroup, which is the group the landmark runs as.
  it('reads a key file that its own group may read too (0440, 0640): a Kubernetes Secret mounted for the pod fsGroup', () => {
    for (const mode of [0o440, 0o640]) {
      const { key, path } = keyFileWithMode(mode);
      expect(readKey(path).publicKey).toBe(key.publicKey);
    }
  });

  it.each(['644', '604', '660', '620', '444'])('refuses a key file of mode %s, which others can read or its group change', (mode) => {
    const { path } = keyFileWithMode(parseInt(mode, 8));
    expect(() => readKey(path)).toThrow(KeyFileError);
    expect(() => readKey(path)).toThrow(`(mode ${mode})`);
  });

  // Only root can give a file to a group it is not in.
  it.skipIf(process.getuid?.() !== 0)("refuses a key file that a group other than the landmark's own may read", () => {
    const { path } = keyFileWithMode(0o440);
    chownSync(path, process.getuid!(), process.getegid!() + 1);
    expect(() => readKey(path)).toThrow('(mode 440)');
  });
});

describe.skipIf(process.platform === 'win32')('writeNewKey', () => {
  const fresh = () => mkdtempSync(join(tmpdir(), 'locus-keygen-'));

  it('writes the key 0600 and leaves nothing else in the directory', () => {
    const dir = fresh();
    const { path, key } = writeNewKey(dir);
    expect(readKey(path).publicKey).toBe(key.publicKey);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['landmark.key']);
  });

  // An attacker who may write the directory (or a mistake) points landmark.key elsewhere: keygen must not write, or truncate, there.
  it.each([
    ['a file elsewhere', true],
    ['nothing yet', false],
  ])('never writes through a symlink at landmark.key that points to %s', (_, targetExists) => {
    const dir = fresh();
    const target = join(fresh(), 'victim');
    if (targetExists) writeFileSync(target, 'precious\n');
    symlinkSync(target, join(dir, 'landmark.key'));
    expect(() => writeNewKey(dir)).toThrow(/already exists/);
    const forced = writeNewKey(dir, true);
    expect(lstatSync(forced.path).isSymbolicLink()).toBe(false);
    expect(readKey(forced.path).publicKey).toBe(forced.key.publicKey);
    if (targetExists) expect(readFileSync(target, 'utf8')).toBe('precious\n');
    else expect(() => lstatSync(target)).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual(['landmark.key']);
  });

  it('replaces a key with --force, and refuses to without it, keeping the old one', () => {
    const dir = fresh();
    const first = writeNewKey(dir);
    expect(() => writeNewKey(dir)).toThrow(KeyFileError);
    expect(readKey(first.path).publicKey).toBe(first.key.publicKey);
    const second = writeNewKey(dir, true);
    expect(readKey(second.path).publicKey).toBe(second.key.publicKey);
    expect(second.key.publicKey).not.toBe(first.key.publicKey);
  });

  it('refuses a directory where the key would go, with or without --force, saying so', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'landmark.key'));
    for (const force of [false, true]) {
      expect(() => writeNewKey(dir, force)).toThrow(`${join(dir, 'landmark.key')} is a directory, not a key file`);
    }
  });

  // Root may write anywhere.
  it.skipIf(process.getuid?.() === 0)('says that it may not write the directory, with what to do', () => {
    const dir = fresh();
    chmodSync(dir, 0o500);
    try {
      expect(() => writeNewKey(dir)).toThrow(KeyWriteError);
      expect(() => writeNewKey(dir)).toThrow(`cannot write the key to ${join(dir, 'landmark.key')}: permission denied`);
    } finally {
      chmodSync(dir, 0o700);
    }
  });
});
