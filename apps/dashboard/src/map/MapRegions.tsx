import type { GeoPath } from 'd3-geo';
import type { GeoProjection } from 'd3-geo';
import { Link } from '../router/Link.js';
import type { RegionShape } from './rings.js';
import type { MapRegion } from './WorldMap.js';

/** Below this size on screen (px) a region also gets a dot, so that an 80 km region shows on a world map. */
const MIN_VISIBLE_PX = 8;

interface MapRegionsProps {
  readonly shapes: readonly { readonly region: MapRegion; readonly shape: RegionShape | null }[];
  readonly path: GeoPath;
  readonly projection: GeoProjection;
}

/** The regions, largest first so that small ones stay on top (and clickable), each linking where it says. */
export function MapRegions({ shapes, path, projection }: MapRegionsProps) {
  const drawn = shapes
    // A whole-world region (no bounds yet) would hide the map; the caption counts it instead.
    .flatMap(({ region, shape }) => (shape && shape.type === 'Polygon' ? [{ region, shape, area: path.area(shape) }] : []))
    .sort((a, b) => b.area - a.area);
  return (
    <g className="regions">
      {drawn.map(({ region, shape }) => {
        const [[x0, y0], [x1, y1]] = path.bounds(shape);
        const estimate = region.outline.properties.estimate;
        const dot = x1 - x0 < MIN_VISIBLE_PX && y1 - y0 < MIN_VISIBLE_PX && estimate ? projection([estimate.lon, estimate.lat]) : null;
        const body = (
          <>
            <path className={`region region-${region.verdict ?? 'none'}`} data-region={region.key} d={path(shape) ?? ''}>
              <title>{region.label}</title>
            </path>
            {dot && (
              <circle className={`region region-dot region-${region.verdict ?? 'none'}`} cx={dot[0]} cy={dot[1]} r={8}>
                <title>{region.label}</title>
              </circle>
            )}
          </>
        );
        return region.href ? (
          <Link key={region.key} href={region.href} aria-label={region.label}>
            {body}
          </Link>
        ) : (
          <g key={region.key}>{body}</g>
        );
      })}
    </g>
  );
}
