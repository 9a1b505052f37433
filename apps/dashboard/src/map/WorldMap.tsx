import { geoGraticule10, geoPath } from 'd3-geo';
import { useMemo } from 'react';
import type { RegionFeature, Restricted } from '../api/types.js';
import { RESTRICTED_NUMERIC } from '../verdict/countries.js';
import { useCountries } from './atlas.js';
import { placeLabels } from './labels.js';
import { MapRegions } from './MapRegions.js';
import { MapLegend } from './MapLegend.js';
import { capShape, projectionFor, type Focus } from './projection.js';
import { regionShape } from './rings.js';

export interface MapRegion {
  readonly key: string;
  readonly outline: RegionFeature;
  /** Colours the region: green excluded, amber possible, red certain, grey unknown. */
  readonly verdict: Restricted | null;
  readonly label: string;
  /** Where a click on the region goes. */
  readonly href?: string;
}

export interface MapPoint {
  readonly key: string;
  readonly label: string;
  readonly lat: number;
  readonly lon: number;
  /** A landmark whose measurements no longer reach the server (the operator's view): drawn hollow. */
  readonly silent?: boolean;
}

export interface MapCircle extends MapPoint {
  readonly radiusKm: number;
}

interface WorldMapProps {
  readonly title: string;
  readonly regions: readonly MapRegion[];
  readonly landmarks?: readonly MapPoint[];
  /** Landmark bounds drawn as outlines. */
  readonly circles?: readonly MapCircle[];
  /** Fit the view to the regions instead of the whole world. */
  readonly zoom?: boolean;
}

const WIDTH = 960;
const HEIGHT = 500;

/** The world (Equal Earth) with restricted countries shaded, feasible regions by verdict, and landmarks. */
export function WorldMap({ title, regions, landmarks = [], circles = [], zoom = false }: WorldMapProps) {
  const atlas = useCountries();
  const shapes = useMemo(() => regions.map((r) => ({ region: r, shape: regionShape(r.outline) })), [regions]);
  const fitKey = zoom ? regions.map((r) => `${r.outline.properties.estimate?.lat},${r.outline.properties.estimate?.lon},${r.outline.properties.radiusKm},${r.outline.properties.whole}`).join(';') : 'world';
  const projection = useMemo(() => {
    const focus: Focus[] = shapes.flatMap(({ region, shape }) => (shape ? [{ shape, lat: region.outline.properties.estimate?.lat ?? null, lon: region.outline.properties.estimate?.lon ?? null }] : []));
    return projectionFor(WIDTH, HEIGHT, zoom ? focus : undefined);
    // Keyed on where the regions are, so that a poll's new (equal) arrays do not redraw the borders.
  }, [fitKey]);
  const path = useMemo(() => geoPath(projection), [projection]);
  const placed = useMemo(() => {
    const points = landmarks.flatMap((l) => {
      const at = projection([l.lon, l.lat]);
      return at ? [{ key: l.key, label: l.label, silent: l.silent === true, x: at[0], y: at[1] }] : [];
    });
    return placeLabels(points);
  }, [landmarks, projection]);
  const unbounded = shapes.filter((s) => s.shape?.type === 'Sphere').length;
  const countries = 'countries' in atlas ? atlas.countries : undefined;
  const land = useMemo(
    () => (countries ?? []).map((c, i) => ({ key: `${c.id ?? 'x'}-${i}`, name: c.name, restricted: c.id !== undefined && RESTRICTED_NUMERIC.has(c.id), d: path(c.geometry) ?? '' })),
    [countries, path],
  );

  return (
    <figure className="world-map">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        <path className="sphere" d={path({ type: 'Sphere' }) ?? ''} />
        <path className="graticule" d={path(geoGraticule10()) ?? ''} />
        <g className="countries">
          {land.map((c) => (
            <path key={c.key} className={c.restricted ? 'country restricted' : 'country'} d={c.d}>
              <title>{c.restricted ? `${c.name} (restricted)` : c.name}</title>
            </path>
          ))}
        </g>
        <g className="bounds">
          {circles.map((c) => (
            <path key={c.key} className="bound" d={path(capShape(c.lat, c.lon, c.radiusKm)) ?? ''}>
              <title>{c.label}</title>
            </path>
          ))}
        </g>
        <MapRegions shapes={shapes} path={path} projection={projection} />
        <g className="landmarks">
          {placed.map((l) => (
            <g key={l.key} transform={`translate(${l.x.toFixed(1)},${l.y.toFixed(1)})`}>
              <rect className={l.silent ? 'landmark silent' : 'landmark'} x={-3.5} y={-3.5} width={7} height={7} transform="rotate(45)" data-landmark={l.key}>
                <title>{l.label}</title>
              </rect>
              {zoom && l.labelled && (
                <text className="landmark-label" x={6} y={4}>
                  {l.label}
                </text>
              )}
            </g>
          ))}
        </g>
      </svg>
      <figcaption>
        <MapLegend regions={regions.length > 0} bounds={circles.length > 0} silentLandmarks={landmarks.some((l) => l.silent)} />
        {unbounded > 0 && <span className="muted">{unbounded} region(s) not drawn: no landmark bounds them yet, so they are the whole world.</span>}
        {'error' in atlas && <span className="status stale">Borders could not load ({atlas.error}); regions are drawn without them.</span>}
      </figcaption>
    </figure>
  );
}
