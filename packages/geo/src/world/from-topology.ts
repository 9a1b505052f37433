import { transform } from 'topojson-client';
import type { GeometryObject, Topology } from 'topojson-specification';
import { numericToCountryCode } from '../countries.js';
import { bordersFromArcs } from './borders.js';
import { overlayBorders, type OverlayArea } from './overlay.js';
import { buildUnitRaster } from './raster.js';
import { CONTESTED_UNITS, TERRITORIES, UNNUMBERED_UNITS, type Box, type UnitCodes } from './territories.js';
import type { CountryUnit, World } from './world.js';

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

/**
 * Builds the indexed world from a TopoJSON topology of countries (Natural Earth as published
 * by world-atlas: features with ISO 3166-1 numeric ids and a `name` property), with `overlay`
 * areas kept apart from its units.
 */
export function worldFromTopology(topology: Topology, objectName: string, source: string, overlay: readonly OverlayArea[] = []): World {
  const lonlat = decodeArcs(topology);
  const { units, arcOwners } = unitsAndOwners(topology, objectName, lonlat);
  const borders = bordersFromArcs(lonlat, units, arcOwners);
  const { xyz, edgeArc, ownerStart, owners, lonBinStart, lonBinEdges, lonBinDeg } = borders;
  return {
    ...borders,
    raster: buildUnitRaster({ xyz, edgeArc, ownerStart, owners, unitCount: units.length, binStart: lonBinStart, binEdges: lonBinEdges, binDeg: lonBinDeg }),
    ...(overlay.length > 0 ? { overlay: overlayBorders(overlay) } : {}),
    source,
  };
}
