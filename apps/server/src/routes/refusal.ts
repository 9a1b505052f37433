import { refusedSince, type Refusal } from '@locus/storage';
import { z } from 'zod';

/**
 * The newest refusal of what a landmark or a node's agent signed, as answers give it, and whether
 * it came after the newest thing stored of it (what it sends is refused now).
 */
export const RefusalFields = {
  lastRefusal: z.object({ at: z.string(), code: z.string(), message: z.string() }).nullable(),
  refused: z.boolean(),
};

export const refusalFields = (refusal: Refusal | null, lastStoredAt: number | null) => ({
  lastRefusal: refusal && { at: new Date(refusal.at).toISOString(), code: refusal.code, message: refusal.message },
  refused: refusedSince(refusal, lastStoredAt),
});
