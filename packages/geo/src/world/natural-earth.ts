import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Topology } from 'topojson-specification';
import { worldFromTopology } from './from-topology.js';
import { OVERLAY_AREAS } from './overlay-areas.js';
import { OVERLAY_REVIEWED } from './overlay-reviewed.js';
import type { World } from './world.js';

/** The border data, as proof bundles name it (`borders`): the overlay number counts the sets of outlines in overlay-areas.ts. */
export const NATURAL_EARTH_SOURCE = 'Natural Earth 1:10m admin-0 countries (world-atlas 2.0.2) with Locus overlay areas 7';

/** Where world-atlas keeps the Natural Earth 1:10m borders (in node_modules, beside the code or the bundle). */
export const naturalEarthTopologyPath = (): string => createRequire(import.meta.url).resolve('world-atlas/countries-10m.json');

/**
 * Builds the country index from the Natural Earth 1:10m borders bundled with world-atlas, with
 * the overlay areas they leave out (world/overlay-areas.ts). The file is read and parsed here
 * rather than imported: an imported JSON module stays on the heap for the life of the process
 * as half a million small arrays (in a bundle, also their literal boilerplates), which every
 * full garbage collection must mark again. Parsed here, the topology
 * is garbage once the index (typed arrays) is built: the server's heap after start went from
 * 100 MB to 30 MB, and it now starts within an 80 MB old space, where it could not before.
 */
export const naturalEarthWorld = (): World => ({
  ...worldFromTopology(JSON.parse(readFileSync(naturalEarthTopologyPath(), 'utf8')) as Topology, 'countries', NATURAL_EARTH_SOURCE, OVERLAY_AREAS),
  overlayReviewed: OVERLAY_REVIEWED,
});
