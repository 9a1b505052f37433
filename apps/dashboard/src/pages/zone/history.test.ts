import { describe, expect, it } from 'vitest';
import { verdictChanges } from './history.js';

const v = (computedAt: string, restricted: 'excluded' | 'possible', claim: 'verified' | 'contradicted' | null = null) => ({ computedAt, verdict: { restricted, claim } });

describe('verdictChanges', () => {
  it('keeps only the changes of each member, newest first across members', () => {
    const changes = verdictChanges([
      { nodeId: 'n1', name: 'sin-01', history: [v('2026-11-29T06:03:00Z', 'possible'), v('2026-11-29T06:02:00Z', 'excluded'), v('2026-11-29T06:01:00Z', 'excluded')] },
      { nodeId: 'n2', name: 'sin-02', history: [v('2026-11-29T06:02:30Z', 'excluded', 'contradicted'), v('2026-11-29T06:00:00Z', 'excluded', 'verified')] },
    ]);
    expect(changes.map((c) => [c.name, c.at, c.restricted, c.claim, c.before?.restricted ?? null, c.before?.claim ?? null])).toEqual([
      ['sin-01', '2026-11-29T06:03:00Z', 'possible', null, 'excluded', null],
      ['sin-02', '2026-11-29T06:02:30Z', 'excluded', 'contradicted', 'excluded', 'verified'],
      ['sin-01', '2026-11-29T06:01:00Z', 'excluded', null, null, null],
      ['sin-02', '2026-11-29T06:00:00Z', 'excluded', 'verified', null, null],
    ]);
  });

  it('is empty for members never judged', () => {
    expect(verdictChanges([{ nodeId: 'n1', name: 'a', history: [] }])).toEqual([]);
  });
});
