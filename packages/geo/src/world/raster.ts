import { meridianAt, meridianCrossingZ } from './meridian.js';

/**
 * A coarse map of which unit holds each point, for ranking countries by area share. Cells
 * are classified at their centre by the same exact meridian sweep that `unitsContaining`
 * uses; points within a cell of a border may get the neighbour's unit, so never use it to
 * decide whether a country is possible.
 */
export interface UnitRaster {
  readonly cellDeg: number;
  readonly columns: number;
  readonly rows: number;
  /** Unit index per cell, column-major from (-180, 90); NO_UNIT for sea. */
  readonly cells: Uint16Array;
}

export const NO_UNIT = 0xffff;

interface SweepInput {
  readonly xyz: Float64Array;
  readonly edgeArc: Int32Array;
  readonly ownerStart: Int32Array;
  readonly owners: Int32Array;
  readonly unitCount: number;
  /** Edges whose longitude range meets column c: edges[start[c] .. start[c + 1]). */
  readonly binStart: Int32Array;
  readonly binEdges: Int32Array;
  readonly binDeg: number;
}

export function buildUnitRaster(input: SweepInput): UnitRaster {
  const { xyz, edgeArc, ownerStart, owners, binStart, binEdges, binDeg } = input;
  if (input.unitCount >= NO_UNIT) throw new Error(`too many units for the raster: ${input.unitCount}`);
  const columns = binStart.length - 1;
  const rows = Math.round(180 / binDeg);
  const cells = new Uint16Array(columns * rows).fill(NO_UNIT);
  const parity = new Uint8Array(input.unitCount);
  const crossings: { z: number; arc: number }[] = [];
  for (let c = 0; c < columns; c++) {
    const meridian = meridianAt(((-180 + (c + 0.5) * binDeg) * Math.PI) / 180);
    crossings.length = 0;
    for (let k = binStart[c]!; k < binStart[c + 1]!; k++) {
      const z = meridianCrossingZ(xyz, binEdges[k]!, meridian);
      if (!Number.isNaN(z)) crossings.push({ z, arc: edgeArc[binEdges[k]!]! });
    }
    crossings.sort((a, b) => b.z - a.z);
    parity.fill(0);
    const inside = new Set<number>();
    let next = 0;
    for (let r = 0; r < rows; r++) {
      const z = Math.sin(((90 - (r + 0.5) * binDeg) * Math.PI) / 180);
      for (; next < crossings.length && crossings[next]!.z > z; next++) {
        const a = crossings[next]!.arc;
        for (let o = ownerStart[a]!; o < ownerStart[a + 1]!; o++) {
          const u = owners[o]!;
          parity[u] = parity[u]! ^ 1;
          if (parity[u]) inside.add(u);
          else inside.delete(u);
        }
      }
      if (inside.size > 0) cells[c * rows + r] = inside.values().next().value!;
    }
  }
  return { cellDeg: binDeg, columns, rows, cells };
}

/** The unit the raster holds at a point given in degrees, or NO_UNIT. */
export function rasterUnitAt(raster: UnitRaster, latDeg: number, lonDeg: number): number {
  const c = Math.min(raster.columns - 1, Math.max(0, Math.floor((lonDeg + 180) / raster.cellDeg)));
  const r = Math.min(raster.rows - 1, Math.max(0, Math.floor((90 - latDeg) / raster.cellDeg)));
  return raster.cells[c * raster.rows + r]!;
}
