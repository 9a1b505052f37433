import { buildBvh, type Chunk } from './bvh.js';
import { lonBin } from './pip.js';
import type { Borders, CountryUnit } from './world.js';

/** Longest edge, in degrees of longitude or latitude, before it is split. */
const DENSIFY_DEG = 0.25;
const CHUNK_EDGES = 16;
const LON_BIN_DEG = 0.1;
/** Far more than the rounding of a longitude through xyz and back, far less than a bin. */
const BIN_SLACK_DEG = 1e-9;
const DEG = Math.PI / 180;

/** Splits long edges so that the great circle between vertices follows the data's straight lon/lat line. */
function densify(pts: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < pts.length; i += 2) {
    const lon = pts[i]!;
    const lat = pts[i + 1]!;
    if (i > 0) {
      const plon = pts[i - 2]!;
      const plat = pts[i - 1]!;
      let dlon = lon - plon;
      if (dlon > 180) dlon -= 360;
      else if (dlon < -180) dlon += 360;
      const steps = Math.ceil(Math.max(Math.abs(dlon), Math.abs(lat - plat)) / DENSIFY_DEG);
      for (let k = 1; k < steps; k++) {
        let l = plon + (dlon * k) / steps;
        if (l > 180) l -= 360;
        else if (l < -180) l += 360;
        out.push(l, plat + ((lat - plat) * k) / steps);
      }
    }
    out.push(lon, lat);
  }
  return out;
}

interface Vertices {
  readonly xyz: Float64Array;
  /** Longitude of each vertex in degrees. */
  readonly lons: Float64Array;
  readonly arcFirst: Int32Array;
  readonly arcLast: Int32Array;
  readonly chunks: Chunk[];
}

/** Densified arcs as unit vectors, without repeated points, cut into chunks for the hierarchy. */
function vertices(lonlat: readonly Float64Array[]): Vertices {
  const xyz: number[] = [];
  const lons: number[] = [];
  const arcFirst = new Int32Array(lonlat.length);
  const arcLast = new Int32Array(lonlat.length);
  const chunks: Chunk[] = [];
  lonlat.forEach((pts, a) => {
    const dense = densify(pts);
    const first = lons.length;
    for (let i = 0; i < dense.length; i += 2) {
      const lon = dense[i]! * DEG;
      const lat = dense[i + 1]! * DEG;
      const x = Math.cos(lat) * Math.cos(lon);
      const y = Math.cos(lat) * Math.sin(lon);
      const z = Math.sin(lat);
      const n = xyz.length;
      // Drop repeated points (the same place written as lon -180 and 180, or quantised twins).
      if (lons.length > first && (x - xyz[n - 3]!) ** 2 + (y - xyz[n - 2]!) ** 2 + (z - xyz[n - 1]!) ** 2 < 1e-24) continue;
      xyz.push(x, y, z);
      lons.push(dense[i]!);
    }
    arcFirst[a] = first;
    arcLast[a] = lons.length - 1;
    for (let v = first; v < lons.length - 1; v += CHUNK_EDGES) {
      chunks.push({ arc: a, first: v, last: Math.min(v + CHUNK_EDGES, lons.length - 1) });
    }
  });
  return { xyz: Float64Array.from(xyz), lons: Float64Array.from(lons), arcFirst, arcLast, chunks };
}

/** Edges binned by longitude, each edge's arc, and how high each edge reaches. */
function edgeIndex({ xyz, lons, arcFirst, arcLast }: Vertices) {
  const edgeArc = new Int32Array(lons.length).fill(-1);
  const edgeTopZ = new Float64Array(lons.length);
  const binCount = Math.round(360 / LON_BIN_DEG);
  const binned: number[][] = Array.from({ length: binCount }, () => []);
  for (let a = 0; a < arcFirst.length; a++) {
    for (let v = arcFirst[a]!; v < arcLast[a]!; v++) {
      edgeArc[v] = a;
      const za = xyz[3 * v + 2]!;
      const zb = xyz[3 * v + 5]!;
      const chord2 = (xyz[3 * v]! - xyz[3 * v + 3]!) ** 2 + (xyz[3 * v + 1]! - xyz[3 * v + 4]!) ** 2 + (za - zb) ** 2;
      // A great-circle edge rises above its endpoints by at most its sagitta, chord²/8.
      edgeTopZ[v] = Math.max(za, zb) + chord2 / 8 + 1e-12;
      const l1 = lons[v]!;
      const l2 = lons[v + 1]!;
      const ranges = Math.abs(l2 - l1) > 180 ? [[Math.max(l1, l2), 180], [-180, Math.min(l1, l2)]] : [[Math.min(l1, l2), Math.max(l1, l2)]];
      // Each edge also goes in the bins a hair past its ends: a point tested on a vertex's meridian
      // has its longitude from xyz, which can round into the next bin, where the edge ending at that
      // vertex must still be found. An edge in one bin too many costs only a crossing test.
      for (const [from, to] of ranges) {
        const first = lonBin(from! - BIN_SLACK_DEG, LON_BIN_DEG, binCount);
        for (let b = first; b <= lonBin(to! + BIN_SLACK_DEG, LON_BIN_DEG, binCount); b++) binned[b]!.push(v);
      }
    }
  }
  const lonBinStart = new Int32Array(binCount + 1);
  binned.forEach((edges, b) => (lonBinStart[b + 1] = lonBinStart[b]! + edges.length));
  return { edgeArc, edgeTopZ, lonBinStart, lonBinEdges: Int32Array.from(binned.flat()) };
}

/**
 * Indexes boundary arcs given as flat [lon, lat, lon, lat, …] arrays in degrees, each with the
 * units on its sides (`arcOwners[a]`, indices into `units`).
 */
export function bordersFromArcs(lonlat: readonly Float64Array[], units: readonly CountryUnit[], arcOwners: readonly (readonly number[])[]): Borders {
  const verts = vertices(lonlat);
  const ownerStart = new Int32Array(lonlat.length + 1);
  arcOwners.forEach((o, a) => (ownerStart[a + 1] = ownerStart[a]! + o.length));
  const edges = edgeIndex(verts);
  return {
    units,
    xyz: verts.xyz,
    arcFirst: verts.arcFirst,
    arcLast: verts.arcLast,
    ownerStart,
    owners: Int32Array.from(arcOwners.flat()),
    edgeArc: edges.edgeArc,
    bvh: buildBvh(verts.xyz, verts.chunks),
    lonBinDeg: LON_BIN_DEG,
    lonBinStart: edges.lonBinStart,
    lonBinEdges: edges.lonBinEdges,
    edgeTopZ: edges.edgeTopZ,
  };
}
