import countries10m from 'world-atlas/countries-10m.json' with { type: 'json' };
import type { Topology } from 'topojson-specification';
import { worldFromTopology } from './from-topology.js';
import type { World } from './world.js';

export const NATURAL_EARTH_SOURCE = 'Natural Earth 1:10m admin-0 countries (world-atlas 2.0.2)';

/** Builds the country index from the Natural Earth 1:10m borders bundled with world-atlas. */
export const naturalEarthWorld = (): World =>
  worldFromTopology(countries10m as unknown as Topology, 'countries', NATURAL_EARTH_SOURCE);
