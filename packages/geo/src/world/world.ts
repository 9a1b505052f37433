import type { CountryCode } from '../countries.js';
import type { Bvh } from './bvh.js';
import type { OverlayBorders } from './overlay.js';
import type { UnitRaster } from './raster.js';

/** One piece of land with the country codes it counts as (see UnitCodes). */
export interface CountryUnit {
  readonly name: string;
  readonly codes: readonly CountryCode[];
  readonly disputed: boolean;
}

/**
 * Boundaries as a set of shared arcs, indexed for region queries.
 *
 * Every arc is a chain of great-circle edges between unit vectors. An arc separates the
 * units listed as its owners (one for a coast, two for a land border); a unit listed twice
 * is on both sides. Point membership uses the even-odd rule, so ring winding never matters.
 */
export interface Borders {
  readonly units: readonly CountryUnit[];
  /** Vertices, x y z per vertex. */
  readonly xyz: Float64Array;
  /** Arc a spans vertices arcFirst[a] ..= arcLast[a]. */
  readonly arcFirst: Int32Array;
  readonly arcLast: Int32Array;
  /** Owners of arc a: owners[ownerStart[a] .. ownerStart[a + 1]). */
  readonly ownerStart: Int32Array;
  readonly owners: Int32Array;
  /** Arc of the edge starting at each vertex, or -1 at an arc's last vertex. */
  readonly edgeArc: Int32Array;
  readonly bvh: Bvh;
  /** Edges by longitude, for point-in-country tests: bins of `lonBinDeg` degrees from -180. */
  readonly lonBinDeg: number;
  readonly lonBinStart: Int32Array;
  readonly lonBinEdges: Int32Array;
  /** Largest z among each edge's endpoints plus the edge's bulge, for quick rejection. */
  readonly edgeTopZ: Float64Array;
}

/** Country borders, and the overlay of areas they do not draw (world/overlay-areas.ts). */
export interface World extends Borders {
  /**
   * Areas a country holds that its units leave out (waters beyond the margin, reefs, occupied
   * land), drawn generously. They may overlap the units and each other, so they are kept
   * apart and only ever make a country *possible* (verdict.ts); absent means none.
   */
  readonly overlay?: OverlayBorders | undefined;
  /** The day (YYYY-MM-DD) its overlay outlines were last reviewed (world/overlay-reviewed.ts); absent for a world without them. */
  readonly overlayReviewed?: string | undefined;
  /** Coarse unit map for area shares only. */
  readonly raster: UnitRaster;
  /** Where the data came from, for proofs and reports. */
  readonly source: string;
}
