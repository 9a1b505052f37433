import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostInventoryWire } from '@locus/protocol';
import { hostInventory } from './host.js';
import { AGENT_VERSION } from './version.js';
import { toInventoryWire } from './wire.js';
import { collect } from './collect.js';

describe('the agent version', () => {
  it("is the agent package's version", () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(AGENT_VERSION).toBe(pkg.version);
  });

  it('goes out in the inventory, which the protocol takes', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'locus-version-'));
    try {
      const { snapshot } = await collect({ simulate: '2xH100', stateDir, now: new Date() });
      const wire = toInventoryWire(hostInventory({}), snapshot);
      expect(wire.agentVersion).toBe(AGENT_VERSION);
      expect(HostInventoryWire.parse(wire)).toEqual(wire);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
