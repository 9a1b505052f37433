import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { landmarkUserAgent, landmarkVersionOf } from '@locus/protocol';
import { LANDMARK_VERSION } from './version.js';

describe('the landmark version', () => {
  it("is the landmark package's version", () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(LANDMARK_VERSION).toBe(pkg.version);
  });

  it('is read back from the User-Agent it is sent in, and from no other', () => {
    expect(landmarkVersionOf(landmarkUserAgent(LANDMARK_VERSION))).toBe(LANDMARK_VERSION);
    expect(landmarkVersionOf('locus-landmark/1.2.0-rc.1+build.5 node')).toBe('1.2.0-rc.1+build.5');
    for (const other of [undefined, '', 'node', 'curl/8.5.0', 'locus-landmark/', 'locus-landmark/../x', `locus-landmark/${'9'.repeat(40)}`, 'xlocus-landmark/1.0.0', 'locus-landmark/1.0.0<script>']) {
      expect(landmarkVersionOf(other), String(other)).toBeUndefined();
    }
  });
});
