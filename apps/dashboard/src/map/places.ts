import { geoBounds, geoContains } from 'd3-geo';
import { useMemo } from 'react';
import { useCountries, type Country } from './atlas.js';

/** Names the country a point lies in, or undefined at sea. */
export type PlaceNamer = (lat: number, lon: number) => string | undefined;

/** A namer over the atlas's countries; a bounding-box test skips most of them before the exact one. */
export function placeNamer(countries: readonly Country[]): PlaceNamer {
  const boxes = countries.map((c) => ({ c, box: geoBounds(c.geometry as GeoJSON.Geometry) }));
  const inBox = (box: [[number, number], [number, number]], lat: number, lon: number): boolean => {
    const [[w, s], [e, n]] = box;
    if (lat < s || lat > n) return false;
    return w <= e ? lon >= w && lon <= e : lon >= w || lon <= e;
  };
  return (lat, lon) => boxes.find(({ c, box }) => inBox(box, lat, lon) && geoContains(c.geometry as GeoJSON.Geometry, [lon, lat]))?.c.name;
}

/** The namer once the atlas has loaded; undefined before (words then give coordinates only). */
export function usePlaceNamer(): PlaceNamer | undefined {
  const atlas = useCountries();
  const countries = 'countries' in atlas ? atlas.countries : undefined;
  return useMemo(() => (countries ? placeNamer(countries) : undefined), [countries]);
}
