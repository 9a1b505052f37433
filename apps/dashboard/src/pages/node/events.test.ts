import { describe, expect, it } from 'vitest';
import { describeEvent } from './events.js';

const label = (uuid: string | null) => uuid ?? 'the host';
const duplicate = (body: object) => describeEvent({ id: 'e1', kind: 'duplicate-gpu', at: '2026-11-30T12:00:00.000Z', body }, label);

describe('a duplicate GPU event', () => {
  it("names the other node, of the organization, and links to it", () => {
    expect(duplicate({ gpu: 'GPU-1', serial: '1650000000001', otherNode: 'n2', otherName: 'rack-9-z' })).toEqual({
      title: 'Duplicate GPU GPU-1',
      detail: 'Node rack-9-z reports the same GPU (serial 1650000000001): a copied identity or a moved card.',
      severity: 'critical',
      otherNode: 'n2',
    });
  });

  it("says another organization's node is one, with no link", () => {
    const line = duplicate({ gpu: 'GPU-1', serial: null, otherNode: null, otherOrganization: true });
    expect(line.detail).toBe('A node of another organization reports the same GPU: a copied identity or a moved card.');
    expect(line).not.toHaveProperty('otherNode');
  });
});
