import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/**
 * The project says which Node it runs on (package.json `engines.node`); every package it installs
 * must say it runs there too, or `npm install` on a supported Node warns (EBADENGINE) and
 * `--engine-strict` refuses. A dependency that moves on to a newer Node is pinned back
 * (package.json `overrides`) or the project's own range moves, on purpose.
 */
describe('Node versions', () => {
  const root = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
  const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as { packages: Record<string, { version?: string; engines?: unknown }> };
  const oldest = semver.minVersion(root.engines.node);

  it('runs on the Node this test runs on', () => {
    expect(oldest).not.toBeNull();
    expect(semver.satisfies(process.version, root.engines.node)).toBe(true);
  });

  it("every installed package accepts the oldest Node the project supports", () => {
    const refusing = Object.entries(lock.packages).flatMap(([path, entry]) => {
      // engines is sometimes an array of strings in old packages: it says nothing of Node then.
      const range = typeof entry.engines === 'object' && entry.engines !== null && !Array.isArray(entry.engines) ? (entry.engines as { node?: unknown }).node : undefined;
      return typeof range === 'string' && !semver.satisfies(oldest!, range) ? [`${path.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${range}`] : [];
    });
    expect(refusing, `the project supports node ${root.engines.node}`).toEqual([]);
  });
});
