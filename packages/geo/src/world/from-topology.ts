import { transform } from 'topojson-client';
import type { GeometryObject, Topology } from 'topojson-specification';
import { numericToCountryCode } from '../countries.js';
import { buildBvh, type Chunk } from './bvh.js';
import { lonBin } from './pip.js';
import { buildUnitRaster } from './raster.js';
import { CONTESTED_UNITS, TERRITORIES, UNNUMBERED_UNITS, type Box, type UnitCodes } from './territories.js';
import type { CountryUnit, World } from './world.js';

/** Longest edge, in degrees of longitude or latitude, before it is split. */
const DENSIFY_DEG = 0.25;
const CHUNK_EDGES = 16;
const LON_BIN_DEG = 0.1;
const DEG = Math.PI / 180;

export class WorldDataError extends Error {}

interface Feature {
  readonly name: string;
  readonly unit: UnitCodes;
  readonly polygons: readonly (readonly (readonly number[])[])[];
}

function unitCodesOf(id: string | number | undefined, name: string): UnitCodes {
  if (id === undefined || id === null) {
    const named = UNNUMBERED_UNITS[name];
    if (!named) throw new WorldDataError(`country data: unit "${name}" has no ISO code and no mapping`);
    return named;
  }
  const code = numericToCountryCode(String(id));
  if (!code) throw new WorldDataError(`country data: unit "${name}" has unknown ISO numeric code ${id}`);
  return CONTESTED_UNITS[code] ?? { codes: [code], disputed: false };
}

function featuresOf(topology: Topology, objectName: string): Feature[] {
  const object = topology.objects[objectName];
  if (!object || object.type !== 'GeometryCollection') {
    throw new WorldDataError(`country data: no geometry collection "${objectName}"`);
  }
  return object.geometries.flatMap((g: GeometryObject<GeoJSON.GeoJsonProperties>): Feature[] => {
    const props: unknown = g.properties;
    const name = props && typeof props === 'object' && 'name' in props && typeof props.name === 'string' ? props.name : String(g.id);
    if (g.type === 'Polygon') return [{ name, unit: unitCodesOf(g.id, name), polygons: [g.arcs] }];
    if (g.type === 'MultiPolygon') return [{ name, unit: unitCodesOf(g.id, name), polygons: g.arcs }];
    return [];
  });
}

/** Arcs as flat [lon, lat, lon, lat, …] arrays in degrees. */
function decodeArcs(topology: Topology): Float64Array[] {
  return topology.arcs.map((arc) => {
    const t = transform(topology.transform ?? null);
    const out = new Float64Array(arc.length * 2);
    arc.forEach((p, i) => {
      // The second argument restarts delta decoding at an arc's first point.
      const [lon, lat] = t(p, i > 0);
      out[2 * i] = lon!;
      out[2 * i + 1] = lat!;
    });
    return out;
  });
}

const inBox = (lon: number, lat: number, [w, s, e, n]: Box): boolean => lon >= w && lon <= e && lat >= s && lat <= n;

function ringInside(ring: readonly number[], lonlat: readonly Float64Array[], boxes: readonly Box[]): boolean {
  return boxes.some((box) =>
    ring.every((ref) => {
      const pts = lonlat[ref < 0 ? ~ref : ref]!;
      for (let i = 0; i < pts.length; i += 2) if (!inBox(pts[i]!, pts[i + 1]!, box)) return false;
      return true;
    }),
  );
}

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

/** Units of land and, for each arc, the units on its sides (a territory's rings become their own unit). */
function unitsAndOwners(topology: Topology, objectName: string, lonlat: readonly Float64Array[]): { units: CountryUnit[]; arcOwners: number[][] } {
  const units: CountryUnit[] = [];
  const unitKey = new Map<string, number>();
  const unitFor = (key: string, unit: CountryUnit): number => {
    let idx = unitKey.get(key);
    if (idx === undefined) {
      idx = units.push(unit) - 1;
      unitKey.set(key, idx);
    }
    return idx;
  };
  const arcOwners: number[][] = lonlat.map(() => []);
  featuresOf(topology, objectName).forEach((feature, f) => {
    for (const ring of feature.polygons.flat()) {
      const territory = TERRITORIES.find(
        (t) => feature.unit.codes.length === 1 && feature.unit.codes[0] === t.parent && ringInside(ring, lonlat, t.boxes),
      );
      const unit = territory
        ? unitFor(`${f}:${territory.code}`, { name: `${feature.name} (${territory.code})`, codes: [territory.code, territory.parent], disputed: false })
        : unitFor(String(f), { name: feature.name, ...feature.unit });
      for (const ref of ring) arcOwners[ref < 0 ? ~ref : ref]!.push(unit);
    }
  });
  return { units, arcOwners };
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
      for (const [from, to] of ranges) {
        for (let b = lonBin(from!, LON_BIN_DEG, binCount); b <= lonBin(to!, LON_BIN_DEG, binCount); b++) binned[b]!.push(v);
      }
    }
  }
  const lonBinStart = new Int32Array(binCount + 1);
  binned.forEach((edges, b) => (lonBinStart[b + 1] = lonBinStart[b]! + edges.length));
  return { edgeArc, edgeTopZ, lonBinStart, lonBinEdges: Int32Array.from(binned.flat()) };
}

/**
 * Builds the indexed world from a TopoJSON topology of countries (Natural Earth as published
 * by world-atlas: features with ISO 3166-1 numeric ids and a `name` property).
 */
export function worldFromTopology(topology: Topology, objectName: string, source: string): World {
  const lonlat = decodeArcs(topology);
  const { units, arcOwners } = unitsAndOwners(topology, objectName, lonlat);
  const verts = vertices(lonlat);
  const ownerStart = new Int32Array(lonlat.length + 1);
  arcOwners.forEach((o, a) => (ownerStart[a + 1] = ownerStart[a]! + o.length));
  const owners = Int32Array.from(arcOwners.flat());
  const edges = edgeIndex(verts);
  return {
    units,
    xyz: verts.xyz,
    arcFirst: verts.arcFirst,
    arcLast: verts.arcLast,
    ownerStart,
    owners,
    edgeArc: edges.edgeArc,
    bvh: buildBvh(verts.xyz, verts.chunks),
    lonBinDeg: LON_BIN_DEG,
    lonBinStart: edges.lonBinStart,
    lonBinEdges: edges.lonBinEdges,
    edgeTopZ: edges.edgeTopZ,
    raster: buildUnitRaster({ ...edges, xyz: verts.xyz, ownerStart, owners, unitCount: units.length, binStart: edges.lonBinStart, binEdges: edges.lonBinEdges, binDeg: LON_BIN_DEG }),
    source,
  };
}
