import { bordersFromArcs } from './borders.js';
import type { UnitCodes } from './territories.js';
import type { Borders } from './world.js';

/** Longitude and latitude in degrees. */
export type LonLat = readonly [number, number];

/**
 * An area a country holds that the country units leave out: waters beyond the margin, reefs
 * too small for the data, land held by a country other than the one the data codes it to.
 * Outlines are drawn by hand and generously: an outline too large only makes a country
 * possible more often, one too small could make `excluded` false.
 */
export interface OverlayArea extends UnitCodes {
  readonly name: string;
  /** Outlines as [lon, lat] vertices, joined by straight lines in lon/lat; the last vertex joins the first. */
  readonly rings: readonly (readonly LonLat[])[];
}

/** Why an area cannot be indexed, or undefined. */
export function badOverlayArea(area: OverlayArea): string | undefined {
  if (area.codes.length === 0) return `${area.name}: no country codes`;
  if (area.rings.length === 0) return `${area.name}: no outline`;
  for (const ring of area.rings) {
    if (ring.length < 3) return `${area.name}: an outline of ${ring.length} vertices`;
    const off = ring.find(([lon, lat]) => !(Math.abs(lon) <= 180 && Math.abs(lat) < 90));
    if (off) return `${area.name}: vertex ${off.join(', ')} is not a longitude and a latitude short of a pole`;
  }
  return undefined;
}

/** The overlay as boundary arcs, one unit per area (areas may overlap each other and any country). Throws RangeError on an area badOverlayArea refuses. */
export function overlayBorders(areas: readonly OverlayArea[]): Borders {
  const lonlat: Float64Array[] = [];
  const arcOwners: number[][] = [];
  areas.forEach((area, u) => {
    const bad = badOverlayArea(area);
    if (bad !== undefined) throw new RangeError(`overlay area ${bad}`);
    for (const ring of area.rings) {
      lonlat.push(Float64Array.from([...ring, ring[0]!].flat()));
      arcOwners.push([u]);
    }
  });
  return bordersFromArcs(
    lonlat,
    areas.map(({ name, codes, disputed }) => ({ name, codes, disputed })),
    arcOwners,
  );
}
