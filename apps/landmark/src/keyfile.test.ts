import { chmodSync, chownSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, keyFileText } from '@locus/protocol';
import { KeyFileError, readKey } from './keyfile.js';

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
