import { CELL_COVERED, CELL_RESTRICTED, CELL_UNCOVERED, type CoverageGrid, type LatLon } from '@locus/geo';
import { blankImage, encodePng, type RgbImage } from './png.js';

const STATUS_NAMES: Record<number, string> = { [CELL_COVERED]: 'covered', [CELL_UNCOVERED]: 'uncovered', [CELL_RESTRICTED]: 'restricted' };

/**
 * The cells of one status as a MultiPolygon of rectangles: runs of cells along each row, merged
 * down the rows while a run repeats exactly. Rings are counter-clockwise (RFC 7946).
 */
export function statusPolygons(grid: CoverageGrid, status: number): number[][][][] {
  const { columns, rows, stepDeg, cells } = grid;
  const polygons: number[][][][] = [];
  let open = new Map<string, { west: number; east: number; north: number }>();
  const close = (r: { west: number; east: number; north: number }, south: number): void => {
    const ring = [[r.west, south], [r.east, south], [r.east, r.north], [r.west, r.north], [r.west, south]];
    polygons.push([ring.map(([x, y]) => [Number(x!.toFixed(6)), Number(y!.toFixed(6))])]);
  };
  for (let row = 0; row <= rows; row++) {
    const next = new Map<string, { west: number; east: number; north: number }>();
    const north = 90 - row * stepDeg;
    for (let c = 0; row < rows && c < columns; ) {
      if (cells[row * columns + c] !== status) {
        c++;
        continue;
      }
      let end = c;
      while (end < columns && cells[row * columns + end] === status) end++;
      const key = `${c},${end}`;
      next.set(key, open.get(key) ?? { west: -180 + c * stepDeg, east: -180 + end * stepDeg, north });
      open.delete(key);
      c = end;
    }
    for (const r of open.values()) close(r, north);
    open = next;
  }
  return polygons;
}

export function coverageGeoJson(grid: CoverageGrid, summary: Record<string, unknown>): string {
  const features = [CELL_COVERED, CELL_UNCOVERED, CELL_RESTRICTED].map((status) => ({
    type: 'Feature',
    properties: { status: STATUS_NAMES[status], areaKm2: Math.round(grid.areaKm2[STATUS_NAMES[status] as 'covered' | 'uncovered' | 'restricted']) },
    geometry: { type: 'MultiPolygon', coordinates: statusPolygons(grid, status) },
  }));
  return `${JSON.stringify({ type: 'FeatureCollection', locus: summary, features })}\n`;
}

const COLOURS: Record<number, [number, number, number]> = {
  0: [223, 233, 243],
  [CELL_UNCOVERED]: [200, 200, 200],
  [CELL_COVERED]: [46, 158, 91],
  [CELL_RESTRICTED]: [192, 80, 77],
};

/** An equirectangular picture of the grid with the landmarks as black dots, about 1,440 px wide. */
export function coverageImage(grid: CoverageGrid, landmarks: readonly LatLon[]): RgbImage {
  const scale = Math.max(1, Math.floor(1440 / grid.columns));
  const image = blankImage(grid.columns * scale, grid.rows * scale, COLOURS[0]!);
  const set = (x: number, y: number, [r, g, b]: readonly [number, number, number]): void => {
    if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
    const i = (y * image.width + x) * 3;
    [image.pixels[i], image.pixels[i + 1], image.pixels[i + 2]] = [r, g, b];
  };
  for (let row = 0; row < grid.rows; row++) {
    for (let c = 0; c < grid.columns; c++) {
      const colour = COLOURS[grid.cells[row * grid.columns + c]!]!;
      for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) set(c * scale + dx, row * scale + dy, colour);
    }
  }
  const pxPerDeg = image.width / 360;
  for (const l of landmarks) {
    const x = Math.round((l.lon + 180) * pxPerDeg);
    const y = Math.round((90 - l.lat) * pxPerDeg);
    for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) if (dx * dx + dy * dy <= 9) set(x + dx, y + dy, dx * dx + dy * dy <= 4 ? [0, 0, 0] : [255, 255, 255]);
  }
  return image;
}

export const coveragePng = (grid: CoverageGrid, landmarks: readonly LatLon[]): Buffer => encodePng(coverageImage(grid, landmarks));
