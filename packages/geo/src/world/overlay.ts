import { degrees } from '../units.js';
import { fromLatLon, toLatLon, type LatLon, type Vec3 } from '../vec3.js';
import { bordersFromArcs } from './borders.js';
import { unitsContaining } from './pip.js';
import type { UnitCodes } from './territories.js';
import type { Borders } from './world.js';

/** Longitude and latitude in degrees. */
export type LonLat = readonly [number, number];

/**
 * An area a country holds that the country units leave out: waters beyond the margin, reefs
 * too small for the data, land held by a country other than the one the data codes it to.
 * Outlines are drawn by hand as supersets of the real area, with a small allowance (the margin is
 * added to them as to the units): an outline too large only makes a country possible more often,
 * one too small could make `excluded` false.
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

/** Room around an area's box for the great-circle edges' bulge off the lon/lat lines (metres; this is 1 km). */
const BOX_PAD_DEG = 0.01;

/** Overlay areas as boundary arcs, one unit per area, with a box around each to skip point tests far from every area. */
export interface OverlayBorders extends Borders {
  /** South, north, west, east in degrees, 4 numbers an area; west −180 and east 180 for an area across the antimeridian. */
  readonly boxes: Float64Array;
  /** Per area, a grid over its box: 1 where a cell's centre lies in the area. For area shares only, like the unit raster. */
  readonly grids: readonly AreaGrid[];
}

export interface AreaGrid {
  readonly rows: number;
  readonly columns: number;
  readonly cells: Uint8Array;
}

/** Cells across an area's box at most, each way, and the finest cell in degrees. */
const GRID_CELLS = 64;
const GRID_MIN_DEG = 0.05;

const boxOf = (boxes: Float64Array, u: number): [south: number, north: number, west: number, east: number] => [boxes[4 * u]!, boxes[4 * u + 1]!, boxes[4 * u + 2]!, boxes[4 * u + 3]!];

function areaGrid(borders: Borders, boxes: Float64Array, u: number): AreaGrid {
  const [south, north, west, east] = boxOf(boxes, u);
  const rows = Math.max(1, Math.min(GRID_CELLS, Math.ceil((north - south) / GRID_MIN_DEG)));
  const columns = Math.max(1, Math.min(GRID_CELLS, Math.ceil((east - west) / GRID_MIN_DEG)));
  const cells = new Uint8Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const p = fromLatLon(degrees(south + ((r + 0.5) * (north - south)) / rows), degrees(west + ((c + 0.5) * (east - west)) / columns));
      if (unitsContaining(borders, p).includes(u)) cells[r * columns + c] = 1;
    }
  }
  return { rows, columns, cells };
}

/** The overlay, one unit per area (areas may overlap each other and any country). Throws RangeError on an area badOverlayArea refuses. */
export function overlayBorders(areas: readonly OverlayArea[]): OverlayBorders {
  const lonlat: Float64Array[] = [];
  const arcOwners: number[][] = [];
  const boxes = new Float64Array(4 * areas.length);
  areas.forEach((area, u) => {
    const bad = badOverlayArea(area);
    if (bad !== undefined) throw new RangeError(`overlay area ${bad}`);
    const lats = area.rings.flat().map(([, lat]) => lat);
    const lons = area.rings.flat().map(([lon]) => lon);
    // Edges follow straight lon/lat lines to within metres (BOX_PAD_DEG), so the vertices bound
    // the area, unless an edge takes the short way across 180°.
    const across = area.rings.some((ring) => ring.some(([lon], i) => Math.abs(lon - ring[(i + 1) % ring.length]![0]) > 180));
    const west = across ? -180 : Math.min(...lons) - BOX_PAD_DEG;
    const east = across ? 180 : Math.max(...lons) + BOX_PAD_DEG;
    boxes.set([Math.min(...lats) - BOX_PAD_DEG, Math.max(...lats) + BOX_PAD_DEG, west, east], 4 * u);
    for (const ring of area.rings) {
      lonlat.push(Float64Array.from([...ring, ring[0]!].flat()));
      arcOwners.push([u]);
    }
  });
  const borders = bordersFromArcs(
    lonlat,
    areas.map(({ name, codes, disputed }) => ({ name, codes, disputed })),
    arcOwners,
  );
  return { ...borders, boxes, grids: areas.map((_, u) => areaGrid(borders, boxes, u)) };
}

/** Areas containing the point (the even-odd test of unitsContaining), skipped where no area's box holds it. */
export function overlayUnitsAt(overlay: OverlayBorders, p: Vec3): number[] {
  const { lat, lon } = toLatLon(p);
  const near = overlay.units.some((_, u) => {
    const [south, north, west, east] = boxOf(overlay.boxes, u);
    return lat >= south && lat <= north && lon >= west && lon <= east;
  });
  return near ? unitsContaining(overlay, p) : [];
}

/** Areas among `among` (indices) whose grid holds the point: approximate, near borders either way, so for area shares only. */
export function overlayGridUnitsAt(overlay: OverlayBorders, at: LatLon, among: readonly number[]): number[] {
  const { boxes, grids } = overlay;
  return among.filter((u) => {
    const [south, north, west, east] = boxOf(boxes, u);
    if (!(at.lat >= south && at.lat <= north && at.lon >= west && at.lon <= east)) return false;
    const { rows, columns, cells } = grids[u]!;
    const r = Math.min(rows - 1, Math.floor(((at.lat - south) / (north - south)) * rows));
    const c = Math.min(columns - 1, Math.floor(((at.lon - west) / (east - west)) * columns));
    return cells[r * columns + c] === 1;
  });
}
