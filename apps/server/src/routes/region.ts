import { z } from 'zod';

/**
 * A region for maps (Verification.outline), as answers document and check it. Strict, so that a
 * member the outline gains and this lacks fails the answer in tests rather than leave it silently.
 */
export const RegionFeature = z
  .strictObject({
    type: z.literal('Feature'),
    geometry: z.strictObject({ type: z.literal('Polygon'), coordinates: z.array(z.array(z.tuple([z.number(), z.number()]))) }).nullable(),
    properties: z.strictObject({
      empty: z.boolean(),
      whole: z.boolean(),
      /** The centre of the smallest cap that holds the region; null for an empty one. */
      estimate: z.strictObject({ lat: z.number(), lon: z.number() }).nullable(),
      radiusKm: z.number().nullable(),
    }),
  })
  .describe('GeoJSON Feature: the feasible region, rings with the region on their left (RFC 7946); no geometry for an empty or whole region');
