import { describe, expect, it } from 'vitest';
import { ProofParameters } from './proof.js';

const parameters = { speed: 'vacuum', restricted: ['CN', 'RU'], marginKm: 25, maxAgeMs: 3_600_000, engine: '1.2.0', borders: 'Natural Earth' };

describe('proof parameters', () => {
  it('accept the day the overlay outlines were reviewed, and its absence (bundles made before it was recorded)', () => {
    expect(ProofParameters.safeParse({ ...parameters, overlayReviewed: '2025-12-01' })).toMatchObject({ success: true, data: { overlayReviewed: '2025-12-01' } });
    expect(ProofParameters.safeParse({ ...parameters, overlayReviewed: '2024-02-29' }).success).toBe(true);
    const old = ProofParameters.safeParse(parameters);
    expect(old.success && 'overlayReviewed' in old.data).toBe(false);
  });

  it.each([
    ['a day that does not exist', '2025-02-29', 'is not a real day'],
    ['month 13', '2025-13-01', 'is not a real day'],
    ['an instant', '2025-12-01T00:00:00.000Z', 'must be a day as YYYY-MM-DD'],
    ['a day without its zero', '2025-12-1', 'must be a day as YYYY-MM-DD'],
    ['an empty text', '', 'must be a day as YYYY-MM-DD'],
    ['a number', 20251201, 'expected string'],
  ])('refuse an overlay review date that is %s', (_, overlayReviewed, message) => {
    const r = ProofParameters.safeParse({ ...parameters, overlayReviewed });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toMatch(new RegExp(`^overlayReviewed: .*${message}`));
  });
});
