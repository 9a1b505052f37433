import { describe, expect, it } from 'vitest';
import type { NodeEvent } from '../../api/types.js';
import { gpuHealth, latestHealth } from './health.js';

let n = 0;
const health = (at: string, component: string, gpu: string | null, state: string, reason = '', suggestedAction: string | null = null): NodeEvent => ({
  id: `e${++n}`,
  kind: 'health',
  at,
  body: { kind: 'health', id: `e${n}`, at, component, gpu, health: state, reason, suggestedAction },
});
const xid: NodeEvent = { id: 'x1', kind: 'xid', at: '2026-01-01T00:00:05.000Z', body: { kind: 'xid', gpu: 'G3', xid: 79, pciBusId: '0000:5D:00.0', message: 'fell off the bus' } };

describe('latestHealth and gpuHealth', () => {
  const events = [
    health('2026-01-01T00:00:00.000Z', 'thermal', 'G2', 'degraded', 'GPU 2 runs at 91 °C', 'inspect_hardware'),
    health('2026-01-01T00:00:01.000Z', 'xid', 'G3', 'unhealthy', 'Xid 79', 'reboot'),
    xid,
    health('2026-01-01T00:00:02.000Z', 'ecc', 'G3', 'degraded', 'volatile ECC errors'),
    // Recovered: the latest state wins, whatever order the events come in.
    health('2026-01-01T00:01:00.000Z', 'thermal', 'G2', 'healthy', 'back to 60 °C'),
    health('2026-01-01T00:00:03.000Z', 'driver', null, 'unhealthy', 'driver mismatch'),
  ];

  it('keeps the latest state of each (component, GPU), from events in any order', () => {
    const latest = latestHealth([...events].reverse());
    expect(latest.map((s) => `${s.component}/${s.gpu ?? 'host'}=${s.health}`).sort()).toEqual(['driver/host=unhealthy', 'ecc/G3=degraded', 'thermal/G2=healthy', 'xid/G3=unhealthy']);
  });

  it.each([
    ['G3', 'unhealthy', ['xid', 'ecc']],
    ['G2', 'healthy', []],
    ['G0', 'healthy', []],
  ])('gives GPU %s the worst latest state of its components: %s', (gpu, state, problems) => {
    const h = gpuHealth(latestHealth(events), gpu);
    expect(h.health).toBe(state);
    expect(h.problems.map((p) => p.component)).toEqual(problems);
  });

  it('ignores malformed health events', () => {
    expect(latestHealth([{ id: 'bad', kind: 'health', at: '2026-01-01T00:00:00.000Z', body: { health: 'unhealthy' } }])).toEqual([]);
  });
});
