import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const agent = new URL('./index.ts', import.meta.url).href;

describe('the agent under its launcher flags', () => {
  // The bundle's launcher and the systemd unit run node with --no-expose-wasm (deploy/build-agent.mjs).
  // pg touches fetch's Response when it loads, and that loads undici's WebAssembly parser: the
  // checkout's `locus agent run` died so while @locus/agent imported the whole of @locus/storage.
  it('loads, queues a pass and never loads the server database drivers without WebAssembly', () => {
    const script = `
      import { createRequire } from 'node:module';
      import { mkdtempSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      const { Outbox, createQueuer } = await import(${JSON.stringify(agent)});
      const dir = mkdtempSync(join(tmpdir(), 'locus-flags-'));
      const outbox = await Outbox.open(join(dir, 'outbox.db'));
      await createQueuer({ outbox, stateDir: dir, simulate: '2xH100' }).tick(new Date('2026-11-29T12:00:00Z'));
      const size = await outbox.size();
      await outbox.close();
      const drivers = Object.keys(createRequire(import.meta.url).cache).filter((p) => /node_modules[\\\\/](pg|pg-native|@electric-sql[\\\\/]pglite)[\\\\/]/.test(p));
      process.stdout.write(JSON.stringify({ size, drivers, wasm: typeof WebAssembly }));`;
    const r = spawnSync(process.execPath, ['--no-expose-wasm', '--lite-mode', '--import', 'tsx', '--input-type=module', '--eval', script], { encoding: 'utf8', timeout: 60_000, cwd: fileURLToPath(new URL('../../..', import.meta.url)) });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ size: { samples: 1, events: 1 }, drivers: [], wasm: 'undefined' });
  });
});
