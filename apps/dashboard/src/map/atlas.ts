import { useEffect, useState } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
// A URL, not the data: the 50m atlas (~0.7 MB) ships as a file of its own and is fetched on first use.
import atlasUrl from 'world-atlas/countries-50m.json?url';

export interface Country {
  /** ISO 3166-1 numeric code as world-atlas writes it ("156"); absent for some disputed units. */
  readonly id: string | undefined;
  readonly name: string;
  readonly geometry: GeoJSON.Geometry;
}

type Atlas = Topology<{ countries: GeometryCollection<{ name: string }> }>;

export function countriesOf(atlas: Atlas): Country[] {
  const collection = feature(atlas, atlas.objects.countries);
  return collection.features.map((f) => ({ id: f.id === undefined ? undefined : String(f.id), name: f.properties.name, geometry: f.geometry }));
}

let loading: Promise<Country[]> | undefined;

/** The world's countries, fetched once per page load. */
export function loadCountries(): Promise<Country[]> {
  loading ??= fetch(atlasUrl)
    .then((res) => {
      if (!res.ok) throw new Error(`the world atlas answered HTTP ${res.status}`);
      return res.json() as Promise<Atlas>;
    })
    .then(countriesOf)
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return loading;
}

export type CountriesState = { readonly countries: readonly Country[] } | { readonly error: string } | { readonly loading: true };

/** The countries for a map; a map draws its regions while (or even if) the borders load. */
export function useCountries(): CountriesState {
  const [state, setState] = useState<CountriesState>({ loading: true });
  useEffect(() => {
    let live = true;
    loadCountries().then(
      (countries) => live && setState({ countries }),
      (error: unknown) => live && setState({ error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}
