import { z } from 'zod';
import { CountryCode, Instant, LandmarkInfo, PROTOCOL_VERSION, PublicKey, SignedMeasurement } from './messages.js';

export const CLAIM_VERDICT = z.enum(['verified', 'consistent', 'contradicted']);
export const RESTRICTED_VERDICT = z.enum(['excluded', 'possible', 'certain']);

/** A location verdict as published: the fields of `locus geo verify`'s JSON lines, without the target. */
export const VerdictRecord = z.strictObject({
  claimed: CountryCode.nullable(),
  claim: CLAIM_VERDICT.nullable(),
  restricted: RESTRICTED_VERDICT,
  possibleCountries: z.array(CountryCode),
  areaKm2: z.number().min(0),
  radiusKm: z.number().min(0).nullable(),
  estimate: z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).nullable(),
  countryEstimate: CountryCode.nullable(),
  empty: z.literal(true).optional(),
});
export type VerdictRecord = z.infer<typeof VerdictRecord>;

/** A day as YYYY-MM-DD (UTC), a real one: no 30 February. */
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD')
  .refine((text) => {
    const ms = Date.parse(`${text}T00:00:00.000Z`);
    return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
  }, 'is not a real day');

/** The speed of light in vacuum, km/ms: no speed model may exceed it. */
const C = 299.792458;

export const ProofParameters = z.strictObject({
  speed: z.union([z.literal('vacuum'), z.literal('fiber'), z.number().positive().max(C)]),
  restricted: z.array(CountryCode),
  marginKm: z.number().min(0).max(1000),
  /** Measurements older than this, relative to `createdAt`, do not count. */
  maxAgeMs: z.number().int().positive(),
  /**
   * The fastest the host is taken to move, km/h: each measurement's bound grows by the way it
   * could have travelled between when it was taken and `createdAt`, so the verdict is of where
   * the host can be at `createdAt` even if it moved. Absent in bundles made before Locus grew
   * bounds, whose verdicts hold only a host that stayed in one place across the window.
   */
  travelKmPerH: z.number().min(0).max(100_000).optional(),
  /** The geo engine version and border data that gave the verdict. */
  engine: z.string().max(100),
  borders: z.string().max(200),
  /**
   * The day the engine's overlay outlines (occupied land, seas, reefs: docs/geo.md) were last
   * reviewed. Absent in bundles made before Locus recorded it, and for borders without outlines.
   */
  overlayReviewed: Day.optional(),
});
export type ProofParameters = z.infer<typeof ProofParameters>;

/**
 * A self-contained location proof: the landmarks (keys and places), every signed measurement
 * of one host key, the parameters, and the verdict they give. Anyone can check the
 * signatures and recompute the verdict offline.
 */
export const ProofBundle = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal('locus-proof'),
  createdAt: Instant,
  host: z.strictObject({ hostKey: PublicKey, claimed: CountryCode.nullable() }),
  parameters: ProofParameters,
  landmarks: z.array(LandmarkInfo).min(1).max(10_000),
  measurements: z.array(SignedMeasurement).min(1).max(100_000),
  verdict: VerdictRecord,
});
export type ProofBundle = z.infer<typeof ProofBundle>;
